"""grafana_dashboard_files: dashboard files of providers, expanded and checked on the controller."""

import json
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter import grafana_dashboard_files as plugin
from ansible_collections.tradpal.monitoring.plugins.filter.grafana_dashboard_files import grafana_dashboard_files


def write(path, document):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def dashboard(uid, title=None):
    return {"uid": uid, "title": title or uid.title(), "panels": []}


def test_files_and_directories_expand_in_declared_order(tmp_path):
    single = write(tmp_path / "one" / "z-first.json", dashboard("z-first"))
    write(tmp_path / "dir" / "b.json", dashboard("b"))
    write(tmp_path / "dir" / "a.json", dashboard("a"))
    write(tmp_path / "dir" / "notes.txt", "not a dashboard")
    result = grafana_dashboard_files([{"name": "ops", "dashboards": [single, str(tmp_path / "dir")]}])
    assert result["problems"] == []
    assert [(f["provider"], f["name"], f["uid"], f["title"]) for f in result["files"]] == [
        ("ops", "z-first.json", "z-first", "Z-First"),
        ("ops", "a.json", "a", "A"),
        ("ops", "b.json", "b", "B"),
    ]
    assert result["files"][0]["src"] == single


def test_a_provider_without_dashboards_is_fine():
    result = grafana_dashboard_files([{"name": "empty"}, {"name": "none", "dashboards": []}])
    assert result == {"files": [], "problems": []}


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must hold a dashboard object, not a list"),
        ({"title": "No uid"}, "has no uid (Grafana would give it a new one on every restart)"),
        ({"uid": "no-title"}, "has no title"),
        ({"uid": "a" * 41, "title": "Long"}, "Grafana takes at most 40 letters, digits, - and _"),
        ({"uid": "with space", "title": "Space"}, "Grafana takes at most 40 letters, digits, - and _"),
        ({"dashboard": dashboard("wrapped"), "overwrite": True}, "holds an API payload"),
    ],
)
def test_unusable_files_are_named_with_the_reason(tmp_path, content, problem):
    path = write(tmp_path / "bad.json", content)
    result = grafana_dashboard_files([{"name": "ops", "dashboards": [path]}])
    assert len(result["problems"]) == 1
    assert result["problems"][0].startswith("provider ops: %s" % path)
    assert problem in result["problems"][0]


def test_missing_file_and_empty_directory_are_problems(tmp_path):
    (tmp_path / "empty").mkdir()
    sources = [str(tmp_path / "gone.json"), str(tmp_path / "empty")]
    result = grafana_dashboard_files([{"name": "ops", "dashboards": sources}])
    assert result["files"] == []
    assert [p.split(": ", 1)[1] for p in result["problems"]] == [
        "%s cannot be read: No such file or directory" % (tmp_path / "gone.json"),
        "%s holds no *.json file" % (tmp_path / "empty"),
    ]


def test_uids_are_unique_across_providers_and_names_within_one(tmp_path):
    first = write(tmp_path / "a" / "same.json", dashboard("shared"))
    second = write(tmp_path / "b" / "same.json", dashboard("shared"))
    third = write(tmp_path / "c" / "same.json", dashboard("other"))
    result = grafana_dashboard_files([
        {"name": "one", "dashboards": [first]},
        {"name": "two", "dashboards": [second, third]},
    ])
    assert result["problems"] == [
        "provider two: %s has uid shared, already used by %s" % (second, first),
        "provider two: two files are named same.json",
    ]


def test_a_provider_needs_a_name(tmp_path):
    result = grafana_dashboard_files([{"dashboards": []}, "ops"])
    assert result["problems"] == [
        "every dashboard provider needs a name, got a dict",
        "every dashboard provider needs a name, got a string",
    ]


def test_providers_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match="expected a list of providers, got a dict"):
        grafana_dashboard_files({"name": "ops"})


def test_the_shipped_dashboards_pass(tmp_path):
    shipped = Path(__file__).resolve().parents[4] / "roles" / "grafana" / "files" / "dashboards"
    result = grafana_dashboard_files([{"name": "tradpal", "dashboards": [str(shipped)]}])
    assert result["problems"] == []
    assert len(result["files"]) == 5


def test_the_filter_is_registered():
    assert plugin.FilterModule().filters() == {"grafana_dashboard_files": grafana_dashboard_files}
