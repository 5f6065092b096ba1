"""Hidden checks of 02_training_loop, a module per section of the notebook.

Splitting and loading code is judged by properties every correct answer has (sizes, disjoint
and complete splits, stratification, dtypes, reproducibility). Training code is judged by
replaying the same planned calls here, on the same seeded model and data, with reference
code, and comparing losses and weights; replays with a known slip built in name the slip.
Each module's docstring lists the rows of assignments/02_training_loop/requirements.toml it guards.
"""

from .epoch import Evaluate, TrainOneEpoch
from .fit import Fit
from .loaders import MakeLoader
from .model import Mlp
from .split import SplitData, Standardize

CHECKS = [SplitData(), Standardize(), MakeLoader(), Mlp(), TrainOneEpoch(), Evaluate(), Fit()]
