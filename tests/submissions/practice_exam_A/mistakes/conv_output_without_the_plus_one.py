"""Uses (H + 2P - K) / S for the output height and forgets the + 1 (the first window's position)."""

EXPECT = {"question_10": "only the exact value counts"}

answer_10 = (128 + 2 * 1 - 7) // 3
