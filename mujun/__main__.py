from mujun.cli import app

app(prog_name="mujun")
