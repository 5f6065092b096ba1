"""Answers left as what torch and NumPy computed them in: 0-d tensors, a 0-d array, a float32,
a whole number as a float, an exact fraction."""

import fractions

import torch

answer_10 = torch.tensor((128 + 2 * 1 - 7) // 3 + 1)
answer_12 = 2.0 * (3 * 3 * 16 * 16 + 2 * 16)
answer_16 = torch.linalg.matrix_power(torch.tensor([[0.0, 1 / 2, 0.0, 1 / 2], [1 / 2, 0.0, 1 / 2, 0.0],
                                                    [0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]), 2)[0, 0]
answer_18 = np.array(0.5 * np.sum(np.square([1.5, 1.0]) + np.square([-0.5, 1.0]) - 1 - np.log(np.square([1.5, 1.0]))))
answer_19 = np.float32(-np.log(0.9 * 0.2) / 2 - np.log(0.95 * 0.6) / 2)
answer_08 = fractions.Fraction(5, 27)
