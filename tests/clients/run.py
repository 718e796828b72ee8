#!/usr/bin/env python3
"""Third-party Python clients of Enterprise Manager, unchanged, against `vem sim`.

The clients are installed from PyPI at the versions `requirements.txt` pins (into a venv of
their own: `.ci/run` makes it) and speak the server's JSON form, as they would to a real
Enterprise Manager:

- `veeam-em` (a client library): logon, logon sessions, accounts, roles, hierarchy roots, the
  backup task session query with paging, creating and deleting an account;
- `veeam-exporter` (a Prometheus exporter) with its bundled metric files: `veeam_em_up 1`, and
  every exported series equals what `vem` reports for the same simulator, read with `jq`
  (`vem ... -o json` prints the server's JSON form, so a jq path written for a real server
  reads it unchanged). Metric files that export nothing are listed with the reason.

Where a client relies on behaviour the reference documents otherwise, the simulator is not
bent: the difference is printed (and asserted where it shows).

Run with the venv's python:  target/clients-venv/bin/python tests/clients/run.py --vem target/debug/vem
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

FAILURES = []


def check(condition, message):
    """Records a failed expectation (the run goes on, to report everything at once)."""
    if not condition:
        FAILURES.append(message)
        print(f"  FAIL {message}")
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sim:
    """`vem sim` on a free port, for the duration of a `with` block."""

    def __init__(self, vem):
        self.vem = vem
        self.port = free_port()

    def __enter__(self):
        self.process = subprocess.Popen(
            [self.vem, "sim", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.process.stdout.readline()
        if "serving" not in line:
            raise SystemExit(f"vem sim did not start: {line}")
        return self

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=10)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def vem_json(vem, sim, *args):
    """What `vem` prints with `-o json` in the JSON form for the simulator (the server form)."""
    env = dict(os.environ, VEEAM_EM_PASSWORD="admin")
    out = subprocess.run(
        [vem, *args, "--url", f"{sim.url}/api", "--user", "admin", "--wire", "json", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return out.stdout


def jq(text, path):
    """Runs `jq -c PATH` on `text` and returns the parsed result."""
    out = subprocess.run(["jq", "-c", path], input=text, capture_output=True, text=True, check=True)
    return json.loads(out.stdout) if out.stdout.strip() else None


def veeam_em_library(vem, sim):
    print("veeam-em (the library):")
    from veeam_em.manager import VeeamEm

    em = VeeamEm(api_endpoint=sim.url, ssl_verify=False, timeout=30)
    token = em.get_token("admin", "admin")
    check(bool(token), "get_token returns the X-RestSvcSessionId token")
    session_id = em.session_data.get("SessionId")
    check(bool(session_id), f"the logon session has a SessionId: {em.session_data}")
    check(em.whoami().get("UserName") == "admin", "whoami names the user")
    sessions = em.get_logon_sessions()
    check(
        any(s.get("SessionId") == session_id for s in sessions),
        f"get_logon_sessions lists the client's own session ({len(sessions)} sessions)",
    )
    print(f"  logon: session {session_id}, {len(sessions)} logon session(s) listed")

    for name, call, path in [
        ("accounts", em.get_accounts, "/security/accounts"),
        ("roles", em.get_roles, "/security/roles"),
        ("hierarchy roots", em.get_hierarchy_roots, "/hierarchyRoots"),
    ]:
        items = call()
        names = sorted(i["Name"] for i in items)
        expected = sorted(jq(vem_json(vem, sim, "get", path), "[.Refs[].Name]"))
        check(names == expected, f"{name}: the client's {names} are vem's {expected}")
        check(all("UUID" in i for i in items), f"{name}: every UID has the urn:veeam:<Kind>:<id> form")
        print(f"  {name}: {len(items)} ({', '.join(names[:3])}...)")

    # The query service with paging: two items a page, following PagingInfo's Next link.
    sessions = em.get_backup_task_sessions(page_size=2)
    expected = jq(
        vem_json(vem, sim, "get", "/query?type=BackupTaskSession&format=Entities&pageSize=1000"),
        ".Entities.BackupTaskSessions.BackupTaskSessions | map(.UID) | sort",
    )
    got = sorted(s["UID"] for s in sessions)
    check(len(got) > 2, f"the query pages (more than one page of 2): {len(got)} sessions")
    check(got == expected, f"the paged task sessions are vem's: {len(got)} vs {len(expected)}")
    print(f"  backup task sessions: {len(got)}, read 2 a page")

    # Create an account (a JSON body): it is listed; delete it: it is gone.
    roles = em.get_roles()
    before = em.get_accounts()
    created = em.create_account("TECH\\bob", "User", [roles[0]["UID"]], restore_all_vms=True)
    check(created.get("status") == 201, f"create_account: 201 Created ({created.get('status')})")
    accounts = em.get_accounts()
    bob = [a for a in accounts if a.get("Name") == "TECH\\bob"]
    check(len(accounts) == len(before) + 1 and len(bob) == 1,
          f"the created account is listed ({len(before)} -> {len(accounts)} accounts)")
    deleted = em.delete_account(bob[0]["UUID"]) if bob else {}
    check(deleted.get("status") == 204, f"delete_account: 204 No Content ({deleted.get('status')})")
    after = em.get_accounts()
    check(len(after) == len(before), f"the deleted account is gone ({len(after)} accounts)")
    print(
        f"  create_account: {created.get('status')} (listed: {len(before)} -> {len(accounts)}),"
        f" delete_account: {deleted.get('status')} (then {len(after)})"
    )

    # Behaviour of this client that the reference documents otherwise (the simulator is not
    # bent to it):
    print("  differences between the client and the reference (not bent):")
    print(
        "   - get_lookup_service sends ?hierachyRef= (misspelt); the reference documents"
        " hierarchyRef. A lookup that names neither a hierarchy object nor a host is a 400,"
        " so this call fails; its host form works."
    )
    from veeam_em.exceptions import VeeamEmError

    root = em.get_hierarchy_roots()[0]
    try:
        em.get_lookup_service(None, f"urn:VMware:Vm:{root['UUID']}.vm-1")
        check(False, "the misspelt lookup is refused")
    except VeeamEmError as e:
        check("400" in str(e), f"the misspelt lookup is a 400 ({e})")
    vms = em.get_lookup_service(root["UUID"], None, obj_type="Vm", obj_name="*")
    found = vms.get("HierarchyItems") or []
    check(
        all(v["ObjectRef"].startswith("urn:") and v["ObjectType"] == "Vm" for v in found),
        f"the host lookup answers VMs ({len(found)})",
    )
    print(f"   lookup of the VMs below {root.get('Name')}: {len(found)}")
    print(
        "   - remove_scope_from_account sends GET, not DELETE (delete_security_accounts_id_scopes_id):"
        " it reads the scope and removes nothing."
    )
    scopes = em.get_account_scopes(accounts[1]["UUID"])
    listed = scopes.get("EnterpriseAccountHierarchyScopes") or []
    if listed:
        scope_id = listed[0]["Href"].rsplit("/", 1)[1].split("?")[0]
        em.remove_scope_from_account(scope_id, accounts[1]["UUID"])
        again = em.get_account_scopes(accounts[1]["UUID"]).get("EnterpriseAccountHierarchyScopes") or []
        check(len(again) == len(listed), "the GET of remove_scope_from_account removes nothing")
    print(
        "   - every request carries ?v=latest and Content-Type: application/json, GETs too;"
        " the reference uses v= only to log on. Both are accepted."
    )


# The exporter's series, each with the vem command and jq path that give its value.
# `$name` and `$kind` in a jq path are the series' label values the pattern captures.
EXPORTER_SOURCES = [
    (r"veeam_em_overview_jobs_count\{type=\"running\"\}", ["get", "/reports/summary/job_statistics"], ".RunningJobs"),
    (r"veeam_em_overview_jobs_count\{type=\"scheduled\"\}", ["get", "/reports/summary/job_statistics"], ".ScheduledJobs"),
    (r"veeam_em_overview_jobs_count\{type=\"scheduled_backup\"\}", ["get", "/reports/summary/job_statistics"], ".ScheduledBackupJobs"),
    (r"veeam_em_overview_jobs_count\{type=\"scheduled_replica\"\}", ["get", "/reports/summary/job_statistics"], ".ScheduledReplicaJobs"),
    (r"veeam_em_overview_jobs_runs_count\{type=\"total\"\}", ["get", "/reports/summary/job_statistics"], ".TotalJobRuns"),
    (r"veeam_em_overview_jobs_runs_count\{type=\"successfull\"\}", ["get", "/reports/summary/job_statistics"], ".SuccessfulJobRuns"),
    (r"veeam_em_overview_jobs_runs_count\{type=\"warning\"\}", ["get", "/reports/summary/job_statistics"], ".WarningsJobRuns"),
    (r"veeam_em_overview_jobs_runs_count\{type=\"failed\"\}", ["get", "/reports/summary/job_statistics"], ".FailedJobRuns"),
    (r"veeam_em_overview_jobs_max_duration\{jobname=\"\",type=\"job\"\}", ["get", "/reports/summary/job_statistics"], ".MaxJobDuration"),
    (r"veeam_em_overview_jobs_max_duration\{jobname=\"(?P<name>[^\"]*)\",type=\"backupjob\"\}", ["get", "/reports/summary/job_statistics"], "select(.MaxDurationBackupJobName == $name) | .MaxBackupJobDuration"),
    (r"veeam_em_overview_jobs_max_duration\{jobname=\"(?P<name>[^\"]*)\",type=\"replicajob\"\}", ["get", "/reports/summary/job_statistics"], "select(.MaxDurationReplicaJobName == $name) | .MaxReplicaJobDuration"),
    (r"veeam_em_overview_vms_count\{type=\"protected\"\}", ["get", "/reports/summary/vms_overview"], ".ProtectedVms"),
    (r"veeam_em_overview_vms_count\{type=\"backedup\"\}", ["get", "/reports/summary/vms_overview"], ".BackedUpVms"),
    (r"veeam_em_overview_vms_count\{type=\"replicated\"\}", ["get", "/reports/summary/vms_overview"], ".ReplicatedVms"),
    (r"veeam_em_overview_vms_count\{type=\"restore_points\"\}", ["get", "/reports/summary/vms_overview"], ".RestorePoints"),
    (r"veeam_em_overview_vms_total_bytes\{type=\"full_backup_points\"\}", ["get", "/reports/summary/vms_overview"], ".FullBackupPointsSize"),
    (r"veeam_em_overview_vms_total_bytes\{type=\"incremental_backup_points\"\}", ["get", "/reports/summary/vms_overview"], ".IncrementalBackupPointsSize"),
    (r"veeam_em_overview_vms_total_bytes\{type=\"replica_restore_points\"\}", ["get", "/reports/summary/vms_overview"], ".ReplicaRestorePointsSize"),
    (r"veeam_em_overview_vms_total_bytes\{type=\"source_vms\"\}", ["get", "/reports/summary/vms_overview"], ".SourceVmsSize"),
    (r"veeam_em_overview_vms_sucess_backup_percent", ["get", "/reports/summary/vms_overview"], ".SuccessBackupPercents"),
    (r"veeam_em_overview_element_count\{count_type=\"server\",type=\"backup\"\}", ["get", "/reports/summary/overview"], ".BackupServers"),
    (r"veeam_em_overview_element_count\{count_type=\"server\",type=\"proxy\"\}", ["get", "/reports/summary/overview"], ".ProxyServers"),
    (r"veeam_em_overview_element_count\{count_type=\"server\",type=\"repository\"\}", ["get", "/reports/summary/overview"], ".RepositoryServers"),
    (r"veeam_em_overview_element_count\{count_type=\"tasks\",type=\"scheduled_jobs\"\}", ["get", "/reports/summary/overview"], ".ScheduledJobs"),
    (r"veeam_em_overview_element_count\{count_type=\"tasks\",type=\"successful_vms\"\}", ["get", "/reports/summary/overview"], ".SuccessfulVmLastestStates"),
    (r"veeam_em_overview_element_count\{count_type=\"tasks\",type=\"warning_vms\"\}", ["get", "/reports/summary/overview"], ".WarningVmLastestStates"),
    (r"veeam_em_overview_element_count\{count_type=\"tasks\",type=\"failed_vms\"\}", ["get", "/reports/summary/overview"], ".FailedVmLastestStates"),
    (r"veeam_em_overview_repositories_capacity_total_bytes\{name=\"(?P<name>[^\"]*)\",type=\"(?P<kind>[^\"]*)\"\}", ["get", "/repositories?format=Entity"], "[.Repositories[] | select(.Name == $name and .Kind == $kind) | .Capacity] | first"),
    (r"veeam_em_overview_repositories_capacity_free_bytes\{name=\"(?P<name>[^\"]*)\",type=\"(?P<kind>[^\"]*)\"\}", ["get", "/repositories?format=Entity"], "[.Repositories[] | select(.Name == $name and .Kind == $kind) | .FreeSpace] | first"),
    (r"veeam_em_backup_servers_config\{description=\"(?P<description>[^\"]*)\",full_version=\"(?P<kind>[^\"]*)\",name=\"(?P<name>[^\"]*)\",port=\"[^\"]*\",version=\"[^\"]*\"\}", ["get", "/backupServers?format=Entity"], "[.BackupServers[] | select(.Name == $name and .Version == $kind)] | length"),
    (r"veeam_em_agents_status\{backupserver=\"[^\"]*\",name=\"(?P<name>[^\"]*)\",osversion=\"[^\"]*\",version=\"[^\"]*\"\}", ["get", "/agents/discoveredComputers?format=Entity"], "[.DiscoveredComputers[] | select(.Name == $name) | .HostStatus as $s | {\"Online\": 1, \"Offline\": 2, \"Unknown\": 0}[$s // \"\"]] | first"),
]

# Metric files whose series the simulator does not yield, and why (none: its sessions are dated
# near the present, so the files that keep the last 24 hours export them).
EMPTY_FILES = {}

JOB_STATUS = {"Success": 1, "Warning": 2, "Failed": 3, "Idle": 4, "Working": 5}
VMJOB_STATUS = {"Success": 1, "Warning": 2, "Failed": 3, "Pending": 4, "InProgress": 5}


def seconds(text):
    """An API time as Unix seconds."""
    from datetime import datetime, timezone
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def session_series(vem, sim):
    """What the exporter's two session files should export, computed from `vem`'s JSON the way
    they document it: the backup job sessions of the last 24 hours, per backup server, job and job
    type (state and times of the newest, sessions beyond the first counted as retries), and per VM
    the task sessions of each job's newest one. Returns {series name: (value, tolerance)}."""
    now = time.time()
    sessions = json.loads(vem_json(vem, sim, "get", "/backupSessions?format=Entity"))["BackupJobSessions"] or []
    jobs = {}
    for s in sessions:
        if seconds(s["CreationTimeUTC"]) <= now - 86400:
            continue
        server = s["Links"][0]["Name"]
        key = (server, s["JobName"], s["JobType"])
        start = seconds(s["CreationTimeUTC"])
        end = seconds(s["EndTimeUTC"]) if s.get("EndTimeUTC") else None
        state = s["State"] if s["Result"] == "None" else s["Result"]
        entry = jobs.get(key)
        if entry is None:
            jobs[key] = {"name": s["Name"], "state": state, "start": start, "end": end,
                         "uid": s["UID"].split(":")[-1], "retries": 0}
        else:
            entry["retries"] += 1
            if start > entry["start"]:
                entry.update(state=state, start=start, end=end, uid=s["UID"].split(":")[-1])
    out = {}
    for (server, job, jobtype), e in jobs.items():
        labels = f'backupserver="{server}",jobname="{job}",jobtype="{jobtype}",name="{e["name"]}"'
        running = e["end"] is None
        out[f"veeam_em_jobs_sessions_state{{{labels}}}"] = (JOB_STATUS.get(e["state"], 0), 0)
        out[f"veeam_em_jobs_sessions_duration{{{labels}}}"] = (
            (e["end"] if not running else now) - e["start"], 120 if running else 0)
        out[f"veeam_em_jobs_sessions_retries{{{labels}}}"] = (e["retries"], 0)
        tasks = json.loads(vem_json(vem, sim, "get", f"/backupSessions/{e['uid']}/taskSessions?format=Entity"))
        vms = {}
        for t in tasks.get("BackupTaskSessions") or []:
            vm = t["VmDisplayName"]
            state = t["Result"] if t["State"] == "Completed" else t["State"]
            start = seconds(t["CreationTimeUTC"])
            end = seconds(t["EndTimeUTC"]) if t.get("EndTimeUTC") else None
            if vm in vms:
                vms[vm]["retries"] += 1
                continue
            vms[vm] = {"task": t["Name"], "state": state, "start": start, "end": end,
                       "size": t["TotalSize"], "reason": t.get("Reason") or "", "retries": 0}
        for vm, v in vms.items():
            vlabels = f'backupserver="{server}",jobname="{job}",taskname="{v["task"]}",vmname="{vm}"'
            running = v["end"] is None
            status = VMJOB_STATUS.get(v["state"], 0)
            out[f"veeam_em_vmjobs_sessions_state{{{vlabels}}}"] = (status, 0)
            out[f"veeam_em_vmjobs_sessions_duration{{{vlabels}}}"] = (
                (v["end"] if not running else now) - v["start"], 120 if running else 0)
            out[f"veeam_em_vmjobs_sessions_retries{{{vlabels}}}"] = (v["retries"], 0)
            out[f"veeam_em_vmjobs_sessions_total_bytes{{{vlabels}}}"] = (v["size"], 0)
            # The file emits an error series for a VM whose own state is Warning or Failed.
            if status in (2, 3):
                elabels = (f'backupserver="{server}",jobname="{job}",message="{v["reason"]}",'
                           f'taskname="{v["task"]}",vmname="{vm}"')
                out[f"veeam_em_vmjobs_sessions_errors{{{elabels}}}"] = (status, 0)
    return out


def veeam_exporter(vem, sim, workdir):
    print("veeam-exporter (with its bundled metric files):")
    listen = free_port()
    config = os.path.join(workdir, "config.yml")
    with open(config, "w") as f:
        f.write(
            f"""veeams:
  - host: 127.0.0.1
    port: {sim.port}
    protocol: http
    user: admin
    password: admin
    timeout: 20
weblisten:
  address: 127.0.0.1
  port: {listen}
logger:
  level: info
  facility: {os.path.join(workdir, 'exporter.log')}
metrics_file: "conf/metrics/*_metrics.yml"
"""
        )
    exporter = os.path.join(os.path.dirname(sys.executable), "veeam_exporter")
    process = subprocess.Popen([exporter, "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        text = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{listen}/metrics?target=127.0.0.1", timeout=30) as r:
                    text = r.read().decode()
                break
            except OSError:
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)
    if not check(text is not None, "the exporter answers /metrics?target=127.0.0.1"):
        return
    series = [line for line in text.splitlines() if line and not line.startswith("#")]
    check("veeam_em_up 1.0" in series, "veeam_em_up 1")
    print(f"  {len(series)} series; veeam_em_up {'1' if 'veeam_em_up 1.0' in series else '0'}")
    print("  the series:")
    for line in series:
        print(f"    {line}")
    cache = {}
    matched = 0
    absent = []
    sessions = session_series(vem, sim)
    exported_sessions = set()
    for line in series:
        if line.startswith("veeam_em_up "):
            continue
        name, value = line.rsplit(" ", 1)
        if name.startswith(("veeam_em_jobs_sessions_", "veeam_em_vmjobs_sessions_")):
            exported_sessions.add(name)
            want = sessions.get(name)
            if check(want is not None, f"{name}: a series vem's sessions do not give"):
                expected, tolerance = want
                if check(abs(float(value) - float(expected)) <= tolerance,
                         f"{name} = {value}, from vem's sessions {expected}"):
                    matched += 1
            continue
        source = next(((p, c, j) for p, c, j in EXPORTER_SOURCES if re.fullmatch(p, name)), None)
        if not check(source is not None, f"a vem command and jq path for {name}"):
            continue
        pattern, command, path = source
        match = re.fullmatch(pattern, name)
        key = " ".join(command)
        if key not in cache:
            cache[key] = vem_json(vem, sim, *command)
        name_label = match.groupdict().get("name")
        kind = match.groupdict().get("kind")
        args = ["jq", "-c", "--arg", "name", name_label or "", "--arg", "kind", kind or "", path]
        out = subprocess.run(args, input=cache[key], capture_output=True, text=True, check=True)
        expected = json.loads(out.stdout) if out.stdout.strip() else None
        if name.startswith("veeam_em_backup_servers_config"):
            ok = expected == 1 and float(value) == 1.0
        elif expected is None:
            # The field is absent (null in the JSON form), or a value the exporter's filter does
            # not map: it cannot convert it, logs "could not convert string to float" and its
            # gauge stays at 0.
            ok = float(value) == 0.0
            absent.append(name)
        else:
            ok = float(value) == float(expected)
        if check(ok, f"{name} = {value}, vem {key} | jq '{path}' gives {expected}"):
            matched += 1
    missing = sorted(set(sessions) - exported_sessions)
    check(not missing, f"session series vem's sessions give but the exporter does not: {missing}")
    print(f"  {matched} series equal what vem reports (vem <command> --wire json -o json | jq <path>,"
          f" and the {len(sessions)} session series computed from vem's sessions as the exporter's"
          " files document)")
    if absent:
        print(
            f"  of which {len(absent)} read a field the sampled world leaves out (null) or fills"
            " with a value the exporter cannot map, so the exporter shows 0: " + ", ".join(absent)
        )
    log = open(os.path.join(workdir, "exporter.log")).read()
    skipped = log.count("could not convert string to float: 'None'")
    if skipped:
        print(
            f"  {skipped} samples the exporter dropped: a field of the sampled world is null"
            " where a server writes a number (the world issue gives every value)"
        )
    if EMPTY_FILES:
        print("  metric files that export nothing here:")
        for file, why in EMPTY_FILES.items():
            print(f"    {file}: {why}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vem", required=True, help="the vem binary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, Sim(args.vem) as sim:
        print(f"vem sim at {sim.url}")
        veeam_em_library(args.vem, sim)
        veeam_exporter(args.vem, sim, workdir)
    if FAILURES:
        print(f"\n{len(FAILURES)} failure(s):")
        for f in FAILURES:
            print(f"  {f}")
        return 1
    print("\nthird-party clients: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
