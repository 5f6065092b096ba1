"""Hidden checks of 04_transfer_resnet, a module per section of the notebook's prompt; each
module's docstring names the rows of assignments/04_transfer_resnet/requirements.toml it guards."""

from .data import BuildTransforms, MakeDatasets
from .experiment import RunExperiment
from .model import BuildModel, CountTrainable, MakeOptimizer
from .training import Evaluate, SetTrainMode, TrainOneEpoch

CHECKS = [BuildTransforms(), MakeDatasets(), BuildModel(), CountTrainable(), MakeOptimizer(), SetTrainMode(),
          TrainOneEpoch(), Evaluate(), RunExperiment()]
