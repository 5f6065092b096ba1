"""Adds up the four samples' cross-entropies instead of taking their mean."""

EXPECT = {"question_05": "within ±0.005"}

answer_05 = -(np.log(1 - 0.05) + np.log(0.2) + np.log(1 - 0.8) + np.log(1 - 0.4))
