"""dbt, in process: a failure raises one message naming what failed, and prints nothing."""

from __future__ import annotations

import duckdb
import pytest

from mujun import transform


def test_a_failing_build_raises_and_leaves_stdout_alone(tmp_path, capfd):
    work_db = tmp_path / "work.duckdb"
    duckdb.connect(str(work_db)).close()  # nothing staged: the model's inputs are missing
    with pytest.raises(transform.TransformFailed) as failed:
        transform.build("enterprise_evaluation", work_db, tmp_path / "dbt")
    assert "model.mujun.enterprise_evaluation" in str(failed.value)
    assert "\n" not in str(failed.value)  # one line, as the CLI prints it
    out, err = capfd.readouterr()
    assert out == ""
    assert "Catalog Error" not in err  # dbt's own lines are in its log, not on stderr
    # dbt's own account is in its log file, and the file is closed: it opens again at once
    assert "enterprise_evaluation" in (tmp_path / "dbt" / "logs" / "dbt.log").read_text()
    duckdb.connect(str(work_db), read_only=True).close()
