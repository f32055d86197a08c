"""The container test: which facts count as an unprivileged container guest."""

import pytest
from ansible_collections.tradpal.monitoring.plugins.test import container as container_plugin
from ansible_collections.tradpal.monitoring.plugins.test.container import container


@pytest.mark.parametrize("kind", ["docker", "podman", "lxc", "container", "containerd", "systemd-nspawn"])
def test_container_guests_are_containers(kind):
    assert container({"virtualization_role": "guest", "virtualization_type": kind})


@pytest.mark.parametrize(
    "facts",
    [
        {"virtualization_role": "host", "virtualization_type": "docker"},  # the Docker host itself
        {"virtualization_role": "guest", "virtualization_type": "kvm"},  # a VM has user namespaces
        {"virtualization_role": "NA", "virtualization_type": "NA"},
        {},
        None,
    ],
)
def test_hosts_and_virtual_machines_are_not(facts):
    assert not container(facts)


def test_container_is_registered():
    # Imported through the module: pytest would try to collect a class named Test* here.
    assert container_plugin.TestModule().tests()["container"] is container
