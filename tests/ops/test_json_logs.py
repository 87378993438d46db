"""Log lines are JSON in the portal's time zone, with the job id on a job's lines."""

import logging

from cchc_portal.logs import job_context


def test_a_jobs_lines_carry_its_id_and_the_portal_time_zone(json_log):
    with job_context(42):
        logging.getLogger("dossiers.jobs").warning("import job %s lost its database connection", 42)
    line = json_log()[-1]
    assert line["job_id"] == 42
    assert line["message"] == "import job 42 lost its database connection"
    assert line["time"].endswith("+07:00")
