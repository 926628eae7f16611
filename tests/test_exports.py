import types

import humstats


def test_all_lists_exactly_the_public_names() -> None:
    public = sorted(
        name
        for name, value in vars(humstats).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert sorted(humstats.__all__) == public
