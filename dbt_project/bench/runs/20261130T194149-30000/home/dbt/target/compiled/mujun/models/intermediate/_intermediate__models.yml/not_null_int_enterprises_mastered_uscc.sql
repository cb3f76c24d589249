
    
    



select uscc
from "work"."intermediate"."int_enterprises_mastered"
where uscc is null


