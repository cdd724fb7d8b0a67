// Checks that a JSON-LD document only uses CASE/UCO terms the ontology
// defines: node iri-check.mjs ONTOLOGY.ttl DOC.jsonld
//
// SHACL cannot see a misspelled term: "uco-observable:Fiel" is just an IRI
// with no shape, and a key whose prefix is not in the @context becomes an IRI
// with a made-up scheme ("uco-obsevable:sizeInBytes"). So, after expanding
// the document to RDF (safe mode, no remote context):
// - every IRI in the caseontology.org or unifiedcyberontology.org namespaces,
//   wherever it stands (predicate, rdf:type, object, literal datatype), must
//   be declared in the ontology (the subject of an rdf:type triple there);
// - every predicate and rdf:type IRI must be http(s) (anything else is a
//   compact IRI whose prefix the @context does not define);
// - every literal datatype in the XSD namespace must be an XSD type.
//
// Exit 0: all known. 1: each unknown IRI is listed with where it was used.
// 2: usage, or a file or the ontology could not be read.
import { pathToFileURL } from 'node:url'
import { DocumentError, compact, loadDocument, loadOntology } from './validate.mjs'

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const XSD = 'http://www.w3.org/2001/XMLSchema#'
const CDO = /^https:\/\/ontology\.(caseontology|unifiedcyberontology)\.org\//
const XSD_TYPES = new Set(('string boolean decimal integer double float date time dateTime ' +
  'dateTimeStamp duration dayTimeDuration yearMonthDuration gYear gYearMonth gMonth gMonthDay ' +
  'gDay hexBinary base64Binary anyURI language normalizedString token NMTOKEN Name NCName ' +
  'nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger long int short byte ' +
  'unsignedLong unsignedInt unsignedShort unsignedByte').split(' '))

export function definedTerms (ontology) {
  const defined = new Set()
  for (const q of ontology) {
    if (q.predicate.value === RDF_TYPE && q.subject.termType === 'NamedNode') defined.add(q.subject.value)
  }
  return defined
}

// Returns a Map: unknown IRI -> Set of the roles it was used in.
export function unknownTerms (defined, data) {
  const unknown = new Map()
  const flag = (iri, role) => {
    if (!unknown.has(iri)) unknown.set(iri, new Set())
    unknown.get(iri).add(role)
  }
  const check = (term, role) => {
    if (term.termType === 'Literal') {
      const dt = term.datatype.value
      if (CDO.test(dt) && !defined.has(dt)) flag(dt, 'datatype')
      if (dt.startsWith(XSD) && !XSD_TYPES.has(dt.slice(XSD.length))) flag(dt, 'datatype')
      return
    }
    if (term.termType !== 'NamedNode') return
    const iri = term.value
    if (CDO.test(iri) && !defined.has(iri)) flag(iri, role)
    if ((role === 'predicate' || role === 'type') && !/^https?:\/\//.test(iri)) flag(iri, `${role} (undefined prefix?)`)
  }
  for (const q of data) {
    const isType = q.predicate.value === RDF_TYPE
    check(q.subject, 'subject')
    check(q.predicate, 'predicate')
    check(q.object, isType ? 'type' : 'object')
  }
  return unknown
}

async function main (argv) {
  if (argv.length !== 2) {
    console.error('usage: node iri-check.mjs ONTOLOGY.ttl DOC.jsonld')
    return 2
  }
  let defined
  try {
    defined = definedTerms(await loadOntology(argv[0]))
  } catch (e) {
    console.error(`iri-check: ontology: ${e.message}`)
    return 2
  }
  let data
  try {
    data = await loadDocument(argv[1])
  } catch (e) {
    console.error(`iri-check: ${e.message}`)
    return e instanceof DocumentError ? 1 : 2
  }
  const unknown = unknownTerms(defined, data)
  const lines = [...unknown].map(([iri, roles]) => `unknown: ${compact(iri)} (as ${[...roles].sort().join(', ')})`)
  for (const line of lines.sort()) console.log(line)
  if (lines.length === 0) {
    console.log(`iri-check: ${argv[1]}: every CASE/UCO term is defined in the ontology`)
    return 0
  }
  console.log(`iri-check: ${argv[1]}: ${lines.length} unknown term(s)`)
  return 1
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(code => { process.exitCode = code }, e => {
    console.error(`iri-check: ${e.stack || e}`)
    process.exitCode = 2
  })
}
