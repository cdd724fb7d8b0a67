#!/usr/bin/env bash
# case.jsonld against the CASE/UCO 1.4.0 ontology (../shared/ontology): the
# document test_report_case writes from a realistic report conforms to the
# ontology's SHACL shapes (core and SPARQL) and uses only terms the ontology
# defines; copies broken the ways CASE documents go wrong are refused.
# Node and tests/shacl/node_modules come from scripts/deps.sh (make test).
. "$(dirname "$0")/lib.sh"
SHACL="${IFK_SOURCE_DIR:?IFK_SOURCE_DIR is not set (run through ctest)}/tests/shacl"
ONTOLOGY="${IFK_SHARED_DIR:?IFK_SHARED_DIR is not set (run through ctest)}/ontology/case-1.4.0.ttl"

command -v node >/dev/null ||
	fail "node is not installed: scripts/deps.sh installs it (make test runs it)"
[ -d "$SHACL/node_modules/shacl-engine" ] ||
	fail "$SHACL/node_modules is missing: scripts/deps.sh runs npm ci there (make test runs it)"
[ -f "$ONTOLOGY" ] || fail "no ontology at $ONTOLOGY"
validate() { run "$1" node "$SHACL/validate.mjs" "$ONTOLOGY" "$2"; }
iri_check() { run "$1" node "$SHACL/iri-check.mjs" "$ONTOLOGY" "$2"; }

run 0 env IFK_CASE_OUT="$T/case.jsonld" "$B/tests/test_report_case"
[ -s case.jsonld ] || fail "test_report_case wrote no case.jsonld"
validate 0 case.jsonld
has "case.jsonld conforms"
ok "case.jsonld conforms to the CASE/UCO 1.4.0 shapes, SHACL core and SPARQL"
iri_check 0 case.jsonld
has "every CASE/UCO term is defined in the ontology"
ok "every CASE/UCO class, property and datatype case.jsonld uses is defined in the ontology"

# broken KIND: writes broken-KIND.jsonld, a copy of case.jsonld with one fault
broken() {
	python3 - "$1" <<'EOF' || fail "cannot make the broken copy $1"
import json, sys
kind = sys.argv[1]
doc = json.load(open("case.jsonld"))
def nodes(pred):
    found = []
    def walk(v):
        if isinstance(v, dict):
            if pred(v):
                found.append(v)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(doc["@graph"])
    assert found, kind
    return found
typed = lambda t: lambda n: n.get("@type") == t
if kind == "hex":
    nodes(typed("uco-types:Hash"))[0]["uco-types:hashValue"]["@value"] = "not hex"
elif kind == "method":
    nodes(typed("uco-types:Hash"))[0]["uco-types:hashMethod"] = "SHA-256"
elif kind == "blank":
    del nodes(typed("uco-observable:DeviceFacet"))[0]["@id"]
elif kind == "seconds":
    a = nodes(typed("case-investigation:InvestigativeAction"))[0]
    a["uco-action:startTime"]["@value"] = "2026-11-29T11:39Z"
elif kind == "informed":
    a = nodes(lambda n: "case-investigation:wasInformedBy" in n)[0]
    a["case-investigation:wasInformedBy"] = a["uco-action:instrument"]
elif kind == "prefix":
    f = nodes(lambda n: "uco-observable:sizeInBytes" in n)[0]
    f["uco-obsevable:sizeInBytes"] = f.pop("uco-observable:sizeInBytes")
elif kind == "term":
    nodes(typed("uco-observable:File"))[0]["@type"] = "uco-observable:Fiel"
elif kind == "context":
    doc["@context"]["uco-tool"] = "https://ontology.unifiedcyberontology.org/uco/tools/"
json.dump(doc, open("broken-%s.jsonld" % kind, "w"), indent=1)
EOF
}

broken hex
validate 1 broken-hex.jsonld
has "path uco-types:hashValue: Value does not have datatype <http://www.w3.org/2001/XMLSchema#hexBinary>"
broken method
validate 1 broken-method.jsonld
has "path uco-types:hashMethod"
ok "a hash value that is not hex, or a hash method outside the vocabulary, fails validation"

broken blank
validate 1 broken-blank.jsonld
has "UcoThings are required to not be blank nodes"
ok "a facet without an @id (a blank node) fails validation"

broken seconds
validate 1 broken-seconds.jsonld
has "path uco-action:startTime: Value does not have datatype <http://www.w3.org/2001/XMLSchema#dateTime>"
ok "a start time without seconds fails validation"

broken informed
validate 1 broken-informed.jsonld
has "path case-investigation:wasInformedBy: Value is not an instance of case-investigation:InvestigativeAction"
ok "wasInformedBy pointing to a tool instead of an investigative action fails validation"

# SHACL cannot see these (the document still conforms: an unknown IRI has no
# shape), the IRI check does
broken prefix
iri_check 1 broken-prefix.jsonld
has "unknown: <uco-obsevable:sizeInBytes> (as predicate (undefined prefix?))"
broken term
iri_check 1 broken-term.jsonld
has "unknown: uco-observable:Fiel (as type)"
broken context
iri_check 1 broken-context.jsonld
has "unknown: <https://ontology.unifiedcyberontology.org/uco/tools/Tool> (as type)"
ok "a misspelled prefix, term or namespace, which SHACL does not see, fails the IRI check"

echo "$PASSED passed, 0 failed"
