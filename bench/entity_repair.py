"""Entity repair rules on one article that lists thousands of invented names (a hostile input):
time of the rules (transforms.entities.mentions_from_doc) against the model's own time on the
same doc, at n and 4n names. Linear rules keep the ratio of the two times flat as n grows.

.venv/bin/python bench/entity_repair.py --names 2000 8000 --runs 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.config import RunConfig  # noqa: E402
from flows.nlp import load_pipeline  # noqa: E402
from transforms.entities import mentions_from_doc  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ra", "to", "ve", "su", "ni", "pa", "de", "go", "ri", "ta", "mo", "le", "zu"]


def hostile_text(n: int, seed: int = 1) -> str:
    """n invented two-word names met in pairs, then a quarter of their surnames alone."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()

    names = [f"{word()} {word()}" for _ in range(n)]
    text = " ".join(f"{a} met {b} in the city." for a, b in zip(names[::2], names[1::2], strict=False))
    return text + " " + " ".join(f"{name.split()[1]} said nothing." for name in names[: n // 4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, nargs="+", default=[2000, 8000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    nlp = load_pipeline(RunConfig().models["en"])
    nlp.max_length = 10**7
    for n in args.names:
        text = hostile_text(n)
        ner, rules = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            doc = nlp(text)
            ner.append(time.perf_counter() - t)
            t = time.perf_counter()
            mentions = mentions_from_doc("x", doc, text)
            rules.append(time.perf_counter() - t)
        t_ner, t_rules = statistics.median(ner), statistics.median(rules)
        print(
            f"{n:>6,} names ({len(text):,} chars, {len(mentions):,} mentions): NER {t_ner:.2f} s, "
            f"rules {t_rules:.2f} s, rules/NER {t_rules / t_ner:.3f}"
        )


if __name__ == "__main__":
    main()
