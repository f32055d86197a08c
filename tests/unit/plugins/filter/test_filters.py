"""The collection's filters: go_arch and bcrypt_hash."""

import bcrypt
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.tradpal.monitoring.plugins.filter import bcrypt_hash as bcrypt_filter
from ansible_collections.tradpal.monitoring.plugins.filter.bcrypt_hash import bcrypt_hash, bcrypt_salt
from ansible_collections.tradpal.monitoring.plugins.filter.go_arch import FilterModule, go_arch


@pytest.mark.parametrize(
    ("machine", "expected"),
    [("x86_64", "amd64"), ("aarch64", "arm64"), ("armv7l", "armv7"), ("i386", "386"), ("mips64", "mips64")],
)
def test_go_arch_maps_kernel_names_to_go_names(machine, expected):
    assert go_arch(machine) == expected


def test_go_arch_is_registered():
    assert FilterModule().filters()["go_arch"] is go_arch


def test_bcrypt_hash_verifies_against_the_password():
    hashed = bcrypt_hash("s3cret-pass", "host1:prometheus")
    assert hashed.startswith("$2b$10$")
    assert bcrypt.checkpw(b"s3cret-pass", hashed.encode())
    assert not bcrypt.checkpw(b"other", hashed.encode())


def test_bcrypt_hash_is_stable_for_the_same_seed_and_password():
    assert bcrypt_hash("pw", "host1:prometheus") == bcrypt_hash("pw", "host1:prometheus")


def test_bcrypt_salt_differs_per_host_and_user_and_ignores_the_password():
    salts = {bcrypt_hash(pw, seed)[:29] for pw in ("a", "b") for seed in ("h1:u", "h2:u", "h1:v")}
    assert len(salts) == 3
    assert bcrypt_salt("h1:u") == bcrypt_hash("a", "h1:u")[:29] == bcrypt_hash("b", "h1:u")[:29]


def test_bcrypt_salt_uses_bcrypts_alphabet_with_zero_padding_bits():
    salt = bcrypt_salt("seed", rounds=12)[7:]
    assert len(salt) == 22
    assert set(salt) <= set(bcrypt_filter._BCRYPT_B64)
    # The last character carries 2 data bits and 4 zero bits: one of ". O e u".
    assert salt[-1] in ".Oeu"


def test_bcrypt_hash_respects_rounds():
    assert bcrypt_hash("pw", "seed", rounds=4).startswith("$2b$04$")


@pytest.mark.parametrize(
    ("password", "rounds", "message"),
    [("x" * 73, 10, "at most 72 bytes"), ("pw", 3, "rounds must be between 4 and 31")],
)
def test_bcrypt_hash_rejects_what_bcrypt_cannot_do(password, rounds, message):
    with pytest.raises(AnsibleFilterError, match=message):
        bcrypt_hash(password, "seed", rounds=rounds)


def test_bcrypt_hash_explains_a_missing_library(monkeypatch):
    monkeypatch.setattr(bcrypt_filter, "bcrypt", None)
    with pytest.raises(AnsibleFilterError, match="needs the 'bcrypt' Python package"):
        bcrypt_hash("pw", "seed")
