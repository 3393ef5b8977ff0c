"""Deterministic plain-text documents of plausible English prose, for the ingest benchmark.

``document(size, seed)`` gives the same text for the same arguments on every run and machine: a
report of numbered sections (a plain title line, no markdown), each of paragraphs of three to eight
sentences built from templates and word lists with a seeded ``random.Random``. No sentence occurs
twice in a document, so no two chunks are the same text and content-addressed embeddings cannot
make a file cheaper than it is.

    python bench/documents.py --size 204800 --seed 1 | head
"""

import argparse
import random
import re
import sys


def _words(text: str) -> list[str]:
    return text.split()


def _phrases(text: str) -> list[str]:
    return [phrase.strip() for phrase in " ".join(text.split()).split("|")]


NAMES = _words(
    """
    Ada Amara Anders Beatrix Bruno Camille Dmitri Elena Emeka Farah Gideon Greta Hamid Helena Ines
    Isaac Jonas Keiko Lars Leila Lucia Magnus Marisol Mateo Nadia Niamh Oskar Priya Rafael Rosa Samuel
    Sofia Tariq Theo Ursula Viktor Wanjiru Yusuf Zora Malik Agnes Pavel Ingrid Kofi Noor Esther Felix
    Hana
    """
)
SURNAMES = _words(
    """
    Abernathy Baptiste Castellano Delacroix Eriksen Fairweather Gallagher Haverford Ibarra Jankowski
    Kowalczyk Lindqvist Montague Nakamura Okonkwo Pemberton Quintero Rasmussen Santiago Thornbury
    Underwood Vasquez Whitcombe Yamamoto Zielinski Ashdown Brennan Carrow Dunmore Ellery Fitzroy
    Granger
    """
)
PLACES = _phrases(
    """
    the harbour district|the northern valley|the old mill|the river crossing|the eastern terraces|the
    library annex|the coastal road|the market square|the upper reservoir|the railway yard|the western
    orchards|the marsh settlements|the quarry|the customs house|the lighthouse|the cathedral close|the
    salt flats|the foundry|the research station|the mountain pass|the border town|the canal basin|the
    farming cooperative|the municipal archive|the grain exchange|the weather observatory|the ferry
    terminal|the hospital wing|the school on the hill|the abandoned airfield
    """
)
NOUNS = _words(
    """
    survey report committee proposal budget harvest bridge census experiment schedule inventory ledger
    petition treaty expedition workshop shipment forecast contract archive manuscript prototype
    assessment inspection audit ordinance pipeline network framework council delegation campaign
    festival rehearsal lecture seminar excavation restoration migration drought flood shortage surplus
    dispute settlement negotiation reform registry catalogue timetable vaccine irrigation turbine
    """
)
ADJECTIVES = _words(
    """
    careful preliminary thorough ambitious modest detailed uneven reliable unexpected gradual
    substantial fragile temporary permanent cautious generous rigorous informal official confidential
    overdue seasonal regional provisional comprehensive tentative remarkable ordinary costly efficient
    lengthy brief contested popular neglected promising disappointing steady volatile
    """
)
VERBS_PAST = _words(
    """
    reviewed questioned approved postponed revised challenged documented praised criticised examined
    extended abandoned rebuilt measured recorded predicted delayed financed organised inspected
    summarised translated negotiated published rejected defended expanded simplified tested compared
    """
)
ADVERBS = _words(
    """
    quietly reluctantly promptly carefully openly eventually suddenly repeatedly briefly steadily
    cautiously unexpectedly formally privately deliberately partly largely barely
    """
)
GROUPS = _phrases(
    """
    the town council|the engineers|the farmers' union|the harbour master|the regional office|the
    auditors|the volunteers|the board of trustees|the survey team|the archivists|the merchants|the
    inspectors|the teachers|the local press|the ministry|the residents|the visiting scholars|the
    shipping company|the medical staff|the students
    """
)
MONTHS = _words("January February March April May June July August September October November December")
REASONS = _phrases(
    """
    the weather had turned|funds were running low|the first results were encouraging|nobody had
    expected the demand|the old records were incomplete|the roads were closed for repairs|several
    members were absent|the prices had doubled|the evidence was still disputed|a second opinion was
    needed|the earlier plan had failed|the deadline was approaching|the equipment arrived late|the
    figures did not agree|public interest had grown|the river had risen overnight|the contract was
    ambiguous|the survey had missed two districts
    """
)
TITLE_WORDS = _words("Notes Observations Remarks Findings Accounts Letters Minutes Records Studies")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"


def _year(rng: random.Random) -> int:
    return rng.randint(1850, 2024)


def _amount(rng: random.Random) -> str:
    return f"{rng.randint(2, 980) * rng.choice((1, 10, 100)):,}"


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _a(word: str) -> str:
    """The word with its indefinite article."""
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


SENTENCES = (
    lambda r: (
        f"In {rng_month(r)} {_year(r)}, {r.choice(GROUPS)} {r.choice(VERBS_PAST)} the "
        f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)} for {r.choice(PLACES)}."
    ),
    lambda r: (
        f"{_name(r)} {r.choice(ADVERBS)} {r.choice(VERBS_PAST)} the {r.choice(NOUNS)}, "
        f"because {r.choice(REASONS)}."
    ),
    lambda r: (
        f"The {r.choice(ADJECTIVES)} {r.choice(NOUNS)} near {r.choice(PLACES)} cost about "
        f"{_amount(r)} crowns, {r.choice(('far more', 'somewhat less', 'nearly twice', 'a little more'))} "
        f"than {r.choice(GROUPS)} had planned."
    ),
    lambda r: (
        f"According to {_name(r)}, the {r.choice(NOUNS)} was {r.choice(ADJECTIVES)} but "
        f"{r.choice(ADJECTIVES)}, and {r.choice(GROUPS)} {r.choice(VERBS_PAST)} it "
        f"{r.choice(ADVERBS)}."
    ),
    lambda r: (
        f"When {r.choice(REASONS)}, {r.choice(GROUPS)} moved the {r.choice(NOUNS)} from "
        f"{r.choice(PLACES)} to {r.choice(PLACES)}."
    ),
    lambda r: (
        f"{r.randint(3, 97)} of the {r.randint(100, 400)} households in {r.choice(PLACES)} took part "
        f"in the {r.choice(NOUNS)}, which {_name(r)} later {r.choice(VERBS_PAST)}."
    ),
    lambda r: (
        f"Few people remember that the {r.choice(NOUNS)} of {_year(r)} began as "
        f"{_a(r.choice(ADJECTIVES))} {r.choice(NOUNS)} at {r.choice(PLACES)}."
    ),
    lambda r: (
        f"{_cap(r.choice(GROUPS))} wrote to {_name(r)} that the {r.choice(NOUNS)} would be "
        f"{r.choice(ADJECTIVES)} unless {r.choice(REASONS)}."
    ),
    lambda r: (
        f"By the end of {rng_month(r)}, the {r.choice(NOUNS)} had been {r.choice(VERBS_PAST)} "
        f"{r.randint(2, 14)} times, each time a little more {r.choice(ADJECTIVES)}."
    ),
    lambda r: (
        f"It is worth noting that {_name(r)} {r.choice(VERBS_PAST)} the {r.choice(NOUNS)} "
        f"long before {r.choice(GROUPS)} {r.choice(VERBS_PAST)} the {r.choice(NOUNS)}."
    ),
    lambda r: (
        f"The records kept at {r.choice(PLACES)} show {_a(r.choice(ADJECTIVES))} rise in the "
        f"{r.choice(NOUNS)} between {(y := _year(r))} and {y + r.randint(1, 30)}."
    ),
    lambda r: (
        f"Nobody at {r.choice(PLACES)} {r.choice(('doubted', 'denied', 'disputed', 'questioned'))} "
        f"that the {r.choice(NOUNS)} was {r.choice(ADJECTIVES)}; the argument was about who should "
        f"pay for the {r.choice(NOUNS)}."
    ),
    lambda r: (
        f"{_name(r)} and {_name(r)} {r.choice(VERBS_PAST)} the {r.choice(ADJECTIVES)} "
        f"{r.choice(NOUNS)} together, although they rarely agreed about the {r.choice(NOUNS)}."
    ),
    lambda r: (
        f"After the {r.choice(NOUNS)}, {r.choice(GROUPS)} {r.choice(ADVERBS)} asked for "
        f"{_a(r.choice(ADJECTIVES))} {r.choice(NOUNS)} of {r.choice(PLACES)}."
    ),
    lambda r: (
        f"The second {r.choice(NOUNS)}, finished in {_year(r)}, was {r.choice(ADJECTIVES)} and "
        f"{r.choice(ADJECTIVES)}, which {r.choice(GROUPS)} {r.choice(ADVERBS)} accepted."
    ),
    lambda r: (
        f"Some {r.randint(12, 900)} letters about the {r.choice(NOUNS)} survive in "
        f"{r.choice(PLACES)}, most of them signed by {_name(r)}."
    ),
)


def rng_month(rng: random.Random) -> str:
    return rng.choice(MONTHS)


def _title(rng: random.Random, number: int) -> str:
    return (
        f"{number}. {rng.choice(TITLE_WORDS)} on the {_cap(rng.choice(NOUNS))} of "
        f"{rng.choice(PLACES).removeprefix('the ').title()}"
    )


def document(size: int, seed: int) -> str:
    """About ``size`` bytes (UTF-8; ASCII in fact) of prose, ending at a paragraph; always the same
    text for the same ``size`` and ``seed``."""
    rng = random.Random(seed)
    seen: set[str] = set()
    parts: list[str] = []
    length = 0
    section = 0
    while length < size:
        section += 1
        title = _title(rng, section)
        parts.append(title)
        length += len(title) + 2
        for _ in range(rng.randint(3, 9)):
            count = rng.randint(3, 8)
            sentences: list[str] = []
            while len(sentences) < count:
                sentence = rng.choice(SENTENCES)(rng)
                if sentence in seen:
                    continue
                seen.add(sentence)
                sentences.append(sentence)
            paragraph = " ".join(sentences)
            parts.append(paragraph)
            length += len(paragraph) + 2
            if length >= size:
                break
    return "\n\n".join(parts) + "\n"


_TITLE = re.compile(r"^\d+\. [^.]*$")


def sentences(text: str) -> list[str]:
    """The sentences of a generated document (title lines left out), in order."""
    found = []
    for paragraph in text.split("\n\n"):
        if _TITLE.match(paragraph):
            continue
        found.extend(s for s in re.split(r"(?<=\.)\s+", paragraph.strip()) if s.endswith("."))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=200 * 1024, help="bytes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.stdout.write(document(args.size, args.seed))


if __name__ == "__main__":
    main()
