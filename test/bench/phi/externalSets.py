"""Writes the external labelled PII / de-identification sets the PHI bench scores, as JSONL
({"set","split","text","spans":[{"start","end","type"}]}) into the folder given as argv[1].

- presidio: sentences from presidio-evaluator's own generator (Microsoft, MIT): its 200+ templates filled
  from its FakeNameGenerator records and Faker providers, seed 42, with the generator's own span labels.
  Templates with an even id are the "tune" split, odd ids the "test" split, so a template's wording is never
  seen in both.
- scrubadub: documents from scrubadub's own evaluation generator (scrubadub.comparison.make_fake_document, MIT):
  Faker's en_US filler text (English words; en_GB's own filler is Latin, which no English clinical text reads
  like, so en_GB documents get the en_US filler too) with identifiers from scrubadub's Filth
  generators (names, addresses, phones, postcodes, SSN / NI numbers, e-mails, URLs, Twitter handles) dropped in
  at random places, with no cue words around them. One paragraph per record, seed = record number, alternating
  en_US and en_GB by pairs; even seeds are the "tune" split, odd seeds the "test" split.
- i2b2-philter: the i2b2 2014 de-identification notes (surrogate PHI) with their gold XML tags that the
  philter-ucsf package (UCSF, BSD) ships as its test data.
Neither is committed to this repository; both come from PyPI (scripts/phiSets.sh installs them).
"""
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

out = Path(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000


def presidio():
    # The package's __init__ also imports its pseudonymizer, which needs presidio-analyzer (and a spaCy model);
    # the sentence generator needs neither, so that one module is stood in for.
    import types

    stand_in = types.ModuleType("presidio_evaluator.data_generator.presidio_pseudonymize")
    stand_in.PresidioPseudonymization = None
    sys.modules[stand_in.__name__] = stand_in
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    identity = {k: k for k in PresidioSentenceFaker.ENTITY_TYPE_MAPPING}
    faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, entity_type_mapping=identity, random_seed=42)
    rows = []
    for s in faker.generate_new_fake_sentences(n):
        rows.append({
            "set": "presidio",
            "split": "tune" if s.template_id % 2 == 0 else "test",
            "text": s.full_text,
            "spans": [{"start": sp.start_position, "end": sp.end_position, "type": sp.entity_type} for sp in s.spans],
        })
    return rows


def scrubadub(count):
    import scrubadub.comparison as comparison
    from faker import Faker

    english = Faker("en_US")  # shares Faker's class-level random, which make_fake_document seeds per document
    rows = []
    for seed in range(count):
        locale = "en_US" if seed % 4 < 2 else "en_GB"
        doc, known = comparison.make_fake_document(paragraphs=1, seed=seed, locale=locale, fake_text_function=english.text)
        spans, at = [], 0
        for item in known:
            # The generator lists its identifiers in document order but gives no offsets: find each after the last.
            start = doc.find(item["match"], at)
            if start < 0:
                raise SystemExit(f"scrubadub seed {seed}: {item['match']!r} not found in its document")
            spans.append({"start": start, "end": start + len(item["match"]), "type": item["filth_type"]})
            at = start + len(item["match"])
        rows.append({"set": "scrubadub", "split": "tune" if seed % 2 == 0 else "test", "locale": locale, "text": doc, "spans": spans})
    return rows


def philter():
    import importlib.util

    # Only the package's data folder is read (importing philter itself needs nltk and its corpora).
    pkg = Path(importlib.util.find_spec("philter_ucsf").submodule_search_locations[0])
    rows = []
    for f in sorted((pkg / "data" / "i2b2_xml").glob("*.xml")):
        root = ET.parse(f).getroot()
        text = root.find("TEXT").text
        spans = [{"start": int(t.get("start")), "end": int(t.get("end")), "type": t.get("TYPE")} for t in root.find("TAGS")]
        rows.append({"set": "i2b2-philter", "split": "test", "text": text, "spans": spans})
    return rows


out.mkdir(parents=True, exist_ok=True)
for name, make in [("presidio", presidio), ("scrubadub", lambda: scrubadub(n)), ("i2b2-philter", philter)]:
    with open(out / f"{name}.jsonl", "w", encoding="utf8") as fh:
        for r in make():
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
