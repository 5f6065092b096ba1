"""The suite relies on `--dist loadgroup` keeping each xdist_group on one worker: modules that build
one costly fixture (a graded cohort, a Slurm cluster) would otherwise build it on every worker, and
the hostile batch's leftover check would see the other worker's kernels."""

import pytest

pytestmark = pytest.mark.xdist_group("grouping-probe")


def test_xdist_groups_take_effect(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run under pytest-xdist with --dist loadgroup")
    assert request.node.nodeid.endswith("@grouping-probe"), (
        "pytest-xdist ignored the xdist_group mark (pytest and pytest-xdist versions that do not fit together)")
