"""exposure_problem: HTTP endpoints beyond loopback need authentication or an explicit opt-in."""

import pytest
from ansible_collections.tradpal.monitoring.plugins.filter import exposure_problem as exposure_problem_plugin
from ansible_collections.tradpal.monitoring.plugins.filter.exposure_problem import exposure_problem

NAMES = {"variable": "x_listen_address", "opt_in_variable": "x_allow_unauthenticated", "how": "x_basic_auth_users"}


@pytest.mark.parametrize("address", ["127.0.0.1:9090", "localhost:9090", "[::1]:9090", "127.0.0.2:9100"])
def test_loopback_is_always_allowed(address):
    assert exposure_problem(address, authenticated=False, opt_in=False, **NAMES) == ""


@pytest.mark.parametrize("address", [":9100", "0.0.0.0:9090", "[::]:9093", "10.0.0.5:9121", "monitor.example:9090"])
def test_beyond_loopback_without_auth_is_refused(address):
    problem = exposure_problem(address, authenticated=False, opt_in=False, **NAMES)
    assert problem.startswith("x_listen_address (%s) listens on " % address)
    assert "set x_basic_auth_users, or set x_allow_unauthenticated: true" in problem


def test_the_message_says_where_it_listens():
    assert " listens on every address " in exposure_problem(":9100", authenticated=False, opt_in=False, **NAMES)
    assert " listens on 10.0.0.5 " in exposure_problem("10.0.0.5:9100", authenticated=False, opt_in=False, **NAMES)


@pytest.mark.parametrize("authenticated, opt_in", [(True, False), (False, True), (True, True)])
def test_authentication_or_the_opt_in_allow_it(authenticated, opt_in):
    assert exposure_problem("0.0.0.0:9090", authenticated=authenticated, opt_in=opt_in, **NAMES) == ""


@pytest.mark.parametrize("opt_in", ["yes", "true", 1])
def test_the_opt_in_as_written_with_extra_vars(opt_in):
    assert exposure_problem("0.0.0.0:9090", authenticated=False, opt_in=opt_in, **NAMES) == ""


@pytest.mark.parametrize("opt_in", ["no", "false", 0, None, ""])
def test_anything_else_is_no_opt_in(opt_in):
    assert exposure_problem("0.0.0.0:9090", authenticated=False, opt_in=opt_in, **NAMES) != ""


def test_an_unparsable_address_is_left_to_the_listen_address_check():
    assert exposure_problem("nonsense", authenticated=False, opt_in=False, **NAMES) == ""


def test_registered_under_its_name():
    assert exposure_problem_plugin.FilterModule().filters() == {"exposure_problem": exposure_problem}
