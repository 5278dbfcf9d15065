"""The shared-service example built with Quarto: links between the sites on every council page; the joint pages checked alike."""

from __future__ import annotations

import pytest
from browser import DESKTOP, PHONE
from quarto import MARKS
from test_shared_site import audit_joint_pages, build_example, check_family_links, check_joint_pack

pytestmark = list(MARKS)


@pytest.fixture(scope="module")
def quarto_shared_build(tmp_path_factory):
    """The example built by Quarto, once for the module."""
    return build_example(tmp_path_factory.mktemp("shared-quarto"), "quarto")


def test_quarto_builds_every_part_and_each_councils_pages_link_to_the_other_sites(quarto_shared_build):
    _, site, output = quarto_shared_build
    assert "Website (quarto renderer)" in output, output
    assert sorted(p.parent.name for p in (site / "joint" / "reports").glob("*/joint.html"))
    check_family_links(site)


def test_quartos_joint_pack_names_every_shared_service(quarto_shared_build):
    check_joint_pack(quarto_shared_build[1])


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_quartos_joint_pages_meet_wcag_22_aa_and_fit_a_phone(quarto_shared_build, width):
    audit_joint_pages(quarto_shared_build[1], width)
