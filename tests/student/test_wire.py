import numpy as np
import pytest
import torch

from dlmed import wire


@pytest.mark.parametrize(
    "value",
    [None, True, 3, 2.5, "text", np.float64(1.5), np.arange(6.0).reshape(2, 3), np.array(7), (1, [2.0, "x"]),
     {"a": np.ones(2, dtype=np.float32)}],
)
def test_round_trip_keeps_values_dtypes_and_shapes(value):
    back = wire.decode(wire.encode(value))
    if isinstance(value, (np.ndarray, np.generic)):
        assert back.dtype == np.asarray(value).dtype and back.shape == np.shape(value)
        assert np.array_equal(back, value)
    elif isinstance(value, dict):
        assert np.array_equal(back["a"], value["a"]) and back["a"].dtype == np.float32
    else:
        assert back == value


def test_tensor_keeps_its_torch_facts():
    back = wire.decode(wire.encode(torch.ones(2, 1, dtype=torch.float32, requires_grad=True)))
    assert isinstance(back, wire.TensorData)
    assert back.dtype == "torch.float32" and back.requires_grad and back.array.shape == (2, 1)


def test_forged_objects_do_not_cross():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    class SneakyArray(np.ndarray):
        def __eq__(self, other):
            return True

    assert wire.decode(wire.encode(AlwaysEqual())) == wire.Unsupported("test_forged_objects_do_not_cross.<locals>.AlwaysEqual")
    sneaky = np.zeros(3).view(SneakyArray)
    back = wire.decode(wire.encode(sneaky))
    assert type(back) is np.ndarray and not np.array_equal(back, np.ones(3))
    assert isinstance(wire.decode(wire.encode(np.array([object()]))), wire.Unsupported)


def test_object_arrays_are_refused_when_decoding():
    forged = {"$ndarray": {"dtype": "|O", "shape": [1], "data": ""}}
    with pytest.raises(ValueError):
        wire.decode(forged)


def test_look_alikes_of_builtins_cross_as_the_builtin_they_hold():
    """A prompt's "a dict with the lists ..." is met by a defaultdict of deques as well."""
    import collections
    import enum

    history = collections.defaultdict(list, {"loss": collections.deque([0.5, 0.25])})
    back = wire.decode(wire.encode(history))
    assert type(back) is dict and back == {"loss": [0.5, 0.25]}
    Pair = collections.namedtuple("Pair", "loss accuracy")
    assert wire.decode(wire.encode(Pair(0.5, 1))) == (0.5, 1)
    assert wire.decode(wire.encode(collections.UserList([1.0, 2.0]))) == [1.0, 2.0]
    assert wire.decode(wire.encode(range(3))) == [0, 1, 2]

    class Level(enum.IntEnum):
        HIGH = 3

    assert type(wire.decode(wire.encode(Level.HIGH))) is int
    import decimal
    import fractions

    assert wire.decode(wire.encode([fractions.Fraction(3, 4), decimal.Decimal("0.75")])) == [0.75, 0.75]


def test_look_alikes_cannot_bring_their_own_comparison_or_crash_the_probe():
    class Tricky(dict):
        def __eq__(self, other):
            return True

    class Broken(dict):
        def items(self):
            raise RuntimeError("no")

    class Loud(float):
        def __eq__(self, other):
            return True

    back = wire.decode(wire.encode(Tricky(a=1)))
    assert type(back) is dict and back != {"a": 2}
    assert wire.decode(wire.encode(Broken(a=1))) == wire.Unsupported(Broken.__qualname__)
    assert type(wire.decode(wire.encode(Loud(0.5)))) is float
    assert wire.decode(wire.encode({1: "int keys"})) == wire.Unsupported("dict")
