"""Free text: when to freeze and when to fine-tune a pretrained network."""

from autograder.checks.exam.question import FreeText, Meta, Variant

META = Meta(title="Frozen or fine-tuned?", lecture="L07 transfer learning", points=4, version=1,
            band={"images": (200, 20000)})
MODEL = ("With {n} labelled {modality} images, {advice} The pretrained features come from natural images; "
         "the more target data there is, and the further its domain is from ImageNet, the more it pays to "
         "update the backbone too, with a small learning rate, while validating on held-out patients to catch "
         "overfitting.")
RUBRIC = ("2 points: the right choice for the data size, with the overfitting / capacity argument; "
          "1 point: domain shift from natural images; 1 point: how it is checked (validation by patient).")


def generate(rng):
    n = int(rng.choice([200, 500, 1000, 5000, 20000]))
    modality = str(rng.choice(["chest X-ray", "dermoscopy", "retinal fundus", "histopathology"]))
    advice = ("freezing the backbone and training only the head is the safer start: fine-tuning millions of "
              "weights on so few images overfits." if n <= 1000 else
              "fine-tuning the whole network usually beats a frozen backbone: there is enough data to adapt "
              "the features without overfitting.")
    text = (f"You adapt an ImageNet-pretrained ResNet-18 to {n} labelled {modality} images. Would you freeze the "
            "backbone or fine-tune it? Justify in three or four sentences, and say how you would check the choice.")
    choice = "freeze the backbone, train the head" if n <= 1000 else "fine-tune the whole network"
    worked = ("Marking guide: a good answer makes these points.\n\n"
              f"- The choice for {n} images (2 points): {choice}. "
              + ("Millions of backbone weights fitted to so few images overfit; a frozen backbone leaves only the "
                 "head's few parameters to learn." if n <= 1000 else
                 "With this much data the network can adapt its features without overfitting, and usually beats a "
                 "frozen backbone.") + "\n"
              f"- Domain shift (1 point): ImageNet features come from natural photographs, not {modality} images; "
              "the further the domain, the more it pays to update the backbone (with a small learning rate).\n"
              "- The check (1 point): compare frozen and fine-tuned on a held-out validation set split by patient "
              "(no patient in both), watching for overfitting.")
    return Variant(text, FreeText(MODEL.format(n=n, modality=modality, advice=advice), RUBRIC),
                   {"n": n, "modality": modality}, {"images": n}, worked=worked)


def execute(params):
    return None  # graded by a person: there is no second computation of a model answer
