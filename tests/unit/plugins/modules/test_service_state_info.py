"""service_state_info: the decisions it makes from systemd's answer, /proc and change times."""

import json
import os
import time
from io import StringIO

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.tradpal.monitoring.plugins.modules import service_state_info as mod

SHOW = """LoadState=loaded
ActiveState=active
SubState=running
MainPID={pid}
NRestarts=3
NeedDaemonReload={ndr}
FragmentPath={fragment}
DropInPaths={dropins}
"""


def test_parse_show_keeps_values_with_equal_signs():
    assert mod.parse_show("A=1\nExecStart=/bin/x --a=b\nnoise\n") == {"A": "1", "ExecStart": "/bin/x --a=b"}


def test_process_start_counts_fields_after_the_command_name():
    # A command name with blanks and parentheses must not shift the fields.
    fields = ["S"] + ["0"] * 18 + ["12345"]  # field 22 is the 20th after the name
    stat = "4242 (odd (name) x) " + " ".join(fields)
    started = mod.process_start(stat, now_real=1000.0, now_boot=500.0, ticks=100)
    assert started == pytest.approx(1000.0 - (500.0 - 123.45))


def test_newest_ctime_counts_directory_entries(tmp_path):
    older = tmp_path / "a.yml"
    older.write_text("a")
    rules = tmp_path / "rules.d"
    rules.mkdir()
    newest = rules / "b.yml"
    newest.write_text("b")
    assert mod.newest_ctime([str(older), str(rules), str(tmp_path / "missing")]) == max(
        os.stat(p).st_ctime for p in (older, rules, newest)
    )
    assert mod.newest_ctime([str(tmp_path / "missing")]) == 0.0


def test_changed_after_ignores_missing_files(tmp_path):
    old = tmp_path / "old"
    old.write_text("x")
    started = os.stat(old).st_ctime + 0.001
    time.sleep(0.01)
    new = tmp_path / "new"
    new.write_text("y")
    assert mod.changed_after([str(old), str(new), str(tmp_path / "gone")], started) == [str(new)]


def run_module(capsys, monkeypatch, show_text, stat_text=None):
    def fake_run_command(self, args, **kwargs):
        return 0, show_text, ""

    monkeypatch.setattr(mod.AnsibleModule, "run_command", fake_run_command)
    monkeypatch.setattr(mod.AnsibleModule, "get_bin_path", lambda self, name, required=False: "/bin/systemctl")
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path).startswith("/proc/") and stat_text is not None:
            return StringIO(stat_text)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)


def exit_result(capsys):
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("ndr", ["no", "yes"])
def test_restart_due_when_a_file_changed_after_the_start_or_the_unit_needs_reload(tmp_path, capsys, monkeypatch, ndr):
    binary = tmp_path / "daemon"
    binary.write_text("v1")
    fragment = tmp_path / "daemon.service"
    fragment.write_text("[Service]")
    # The process started one hour ago: every file here is newer.
    ticks = os.sysconf("SC_CLK_TCK")
    since_boot = time.clock_gettime(time.CLOCK_BOOTTIME) - 3600
    stat = "77 (daemon) " + " ".join(["S"] + ["0"] * 18 + [str(int(since_boot * ticks))])
    show = SHOW.format(pid=77, ndr=ndr, fragment=fragment, dropins="")
    run_module(capsys, monkeypatch, show, stat)
    with patch_module_args({"name": "daemon", "restart_files": [str(binary)], "reload_files": [str(tmp_path)]}):
        with pytest.raises(SystemExit):
            mod.main()
    result = exit_result(capsys)
    assert result["changed"] is False
    assert result["exists"] and result["active"] and result["main_pid"] == 77 and result["restarts"] == 3
    assert sorted(result["changed_since_start"]) == sorted([str(binary), str(fragment)])
    assert result["restart_due"] is True
    assert result["need_daemon_reload"] is (ndr == "yes")
    assert result["reload_files_changed_at"] >= os.stat(binary).st_ctime


def test_nothing_due_for_a_process_newer_than_its_files(tmp_path, capsys, monkeypatch):
    binary = tmp_path / "daemon"
    binary.write_text("v1")
    ticks = os.sysconf("SC_CLK_TCK")
    # Started now, after the file was written.
    since_boot = time.clock_gettime(time.CLOCK_BOOTTIME) + 1
    stat = "78 (daemon) " + " ".join(["S"] + ["0"] * 18 + [str(int(since_boot * ticks))])
    run_module(capsys, monkeypatch, SHOW.format(pid=78, ndr="no", fragment="", dropins=""), stat)
    with patch_module_args({"name": "daemon.service", "restart_files": [str(binary)]}):
        with pytest.raises(SystemExit):
            mod.main()
    result = exit_result(capsys)
    assert result["changed_since_start"] == [] and result["restart_due"] is False


def test_a_unit_that_does_not_exist(capsys, monkeypatch):
    show = "LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\nNRestarts=\nNeedDaemonReload=no\n"
    run_module(capsys, monkeypatch, show)
    with patch_module_args({"name": "missing"}):
        with pytest.raises(SystemExit):
            mod.main()
    result = exit_result(capsys)
    assert result["exists"] is False and result["active"] is False
    assert result["main_pid"] == 0 and result["started_at"] is None and result["restart_due"] is False


def test_dropins_on_disk_finds_conf_files_systemd_has_not_loaded(tmp_path):
    etc = tmp_path / "etc"
    (etc / "daemon.service.d").mkdir(parents=True)
    (etc / "daemon.service.d" / "10-flags.conf").write_text("[Service]")
    (etc / "daemon.service.d" / "notes.txt").write_text("not a drop-in")
    assert mod.dropins_on_disk("daemon.service", roots=(str(etc), str(tmp_path / "run"))) == [
        str(etc / "daemon.service.d" / "10-flags.conf")
    ]


def test_dropins_on_disk_like_systemd_shadowed_and_masked_names(tmp_path):
    etc, lib = tmp_path / "etc", tmp_path / "lib"
    for root in (etc, lib):
        (root / "daemon.service.d").mkdir(parents=True)
    (etc / "daemon.service.d" / "10-flags.conf").write_text("[Service]")
    (lib / "daemon.service.d" / "10-flags.conf").write_text("[Service] shadowed")
    (lib / "daemon.service.d" / "20-vendor.conf").write_text("[Service]")
    (etc / "daemon.service.d" / "20-vendor.conf").symlink_to("/dev/null")
    (lib / "daemon.service.d" / "30-more.conf").write_text("[Service]")
    assert mod.dropins_on_disk("daemon.service", roots=(str(etc), str(lib))) == [
        str(etc / "daemon.service.d" / "10-flags.conf"),
        str(lib / "daemon.service.d" / "30-more.conf"),
    ]


def test_process_command_line_reads_a_process_and_nothing_for_a_gone_one():
    with open(f"/proc/{os.getpid()}/cmdline", "rb") as stream:
        expected = [arg.decode() for arg in stream.read().split(b"\0")[:-1]]
    assert mod.process_command_line(os.getpid()) == expected and expected
    assert mod.process_command_line(2**22 + 7) == []


@pytest.mark.parametrize(
    "wanted, runs",
    [
        (["/usr/bin/prometheus", "--config.file=/etc/p.yml", "--web.listen-address=:9090"], True),
        # One flag more, or one changed, is a different command line.
        (["/usr/bin/prometheus", "--config.file=/etc/p.yml", "--web.listen-address=:9091"], False),
        (["/usr/bin/prometheus", "--config.file=/etc/p.yml"], False),
        ([], False),
    ],
)
def test_runs_command_line_compares_the_main_process_arguments(capsys, monkeypatch, wanted, runs):
    ticks = os.sysconf("SC_CLK_TCK")
    since_boot = time.clock_gettime(time.CLOCK_BOOTTIME) + 1
    stat = "79 (prometheus) " + " ".join(["S"] + ["0"] * 18 + [str(int(since_boot * ticks))])
    run_module(capsys, monkeypatch, SHOW.format(pid=79, ndr="no", fragment="", dropins=""), stat)
    running = ["/usr/bin/prometheus", "--config.file=/etc/p.yml", "--web.listen-address=:9090"]
    monkeypatch.setattr(mod, "process_command_line", lambda pid: running if pid == 79 else [])
    with patch_module_args({"name": "prometheus", "command_line": wanted}):
        with pytest.raises(SystemExit):
            mod.main()
    assert exit_result(capsys)["runs_command_line"] is runs
