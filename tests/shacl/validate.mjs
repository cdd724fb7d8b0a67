// SHACL validation of a CASE/UCO JSON-LD document against the ontology,
// offline: node validate.mjs ONTOLOGY.ttl DOC.jsonld
//
// The shapes graph is the whole ontology (each class is also a sh:NodeShape;
// the SHACL-SPARQL constraints run too, see compileSparql). The data graph is the document
// merged with the ontology's class hierarchy above the document's classes
// (rdfs:subClassOf triples), which is what sh:class and the SPARQL
// constraints ("$this a/rdfs:subClassOf* core:UcoThing") need to see that,
// say, a uco-observable:File is a core:UcoObject. The rest of the ontology is
// left out of the data graph: it would only make the ontology's own
// self-checks (shapes targeting owl:DatatypeProperty, owl:Class, ...)
// validate the ontology, which takes many minutes and says nothing about the
// document.
//
// The JSON-LD is read in jsonld's safe mode (a key or value that expansion
// would drop silently is an error) and may not load any remote context.
//
// Exit 0: conforms (no result of any severity: Info and Warning count too).
// 1: does not conform, each result printed as "severity: focus node, path
// ...: message [value]"; or the document is not valid JSON or JSON-LD.
// 2: usage, or a file or the ontology could not be read.
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { QueryEngine } from '@comunica/query-sparql-rdfjs-lite'
import { BindingsFactory } from '@comunica/utils-bindings-factory'
import jsonld from 'jsonld'
import { Parser, Store } from 'n3'
import rdf from 'rdf-ext'
import Validator from 'shacl-engine/Validator.js'
import parsePath from 'shacl-engine/lib/parsePath.js'
import { bindingsToObject, stringifyPath } from 'shacl-engine/lib/sparql.js'
import { targetResolvers } from 'shacl-engine/sparql.js'

export const PREFIXES = {
  'case-investigation': 'https://ontology.caseontology.org/case/investigation/',
  'case-vocabulary': 'https://ontology.caseontology.org/case/vocabulary/',
  'uco-action': 'https://ontology.unifiedcyberontology.org/uco/action/',
  'uco-core': 'https://ontology.unifiedcyberontology.org/uco/core/',
  'uco-identity': 'https://ontology.unifiedcyberontology.org/uco/identity/',
  'uco-observable': 'https://ontology.unifiedcyberontology.org/uco/observable/',
  'uco-role': 'https://ontology.unifiedcyberontology.org/uco/role/',
  'uco-tool': 'https://ontology.unifiedcyberontology.org/uco/tool/',
  'uco-types': 'https://ontology.unifiedcyberontology.org/uco/types/',
  'uco-vocabulary': 'https://ontology.unifiedcyberontology.org/uco/vocabulary/',
  sh: 'http://www.w3.org/ns/shacl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
}

// A failure of the document (exit 1), as opposed to one of the run (exit 2).
export class DocumentError extends Error {}

export function compact (iri) {
  for (const [prefix, ns] of Object.entries(PREFIXES)) {
    if (iri.startsWith(ns)) return `${prefix}:${iri.slice(ns.length)}`
  }
  return `<${iri}>`
}

export function termText (term) {
  if (!term) return '(none)'
  if (term.termType === 'NamedNode') return compact(term.value)
  if (term.termType === 'BlankNode') return `_:${term.value}`
  if (term.termType === 'Literal') {
    return `${JSON.stringify(term.value)}^^${compact(term.datatype.value)}`
  }
  return String(term.value)
}

export async function loadOntology (path) {
  const text = await readFile(path, 'utf8')
  const dataset = rdf.dataset()
  dataset.addAll(new Parser({ factory: rdf }).parse(text))
  if (dataset.size === 0) throw new Error(`${path}: no triples`)
  return dataset
}

// No remote context, no remote document: the document must stand alone.
async function refuseLoad (url) {
  throw new DocumentError(`refusing to load a remote document: ${url}`)
}

export async function loadDocument (path) {
  const text = await readFile(path, 'utf8')
  let doc
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new DocumentError(`${path}: not JSON: ${e.message}`)
  }
  let nquads
  try {
    nquads = await jsonld.toRDF(doc, {
      format: 'application/n-quads',
      safe: true,
      documentLoader: refuseLoad
    })
  } catch (e) {
    const why = e.details && e.details.event ? ` (${e.details.event.code})` : ''
    throw new DocumentError(`${path}: not valid JSON-LD in safe mode: ${e.message}${why}`)
  }
  const dataset = rdf.dataset()
  dataset.addAll(new Parser({ factory: rdf, format: 'N-Quads' }).parse(nquads))
  if (dataset.size === 0) throw new DocumentError(`${path}: the document holds no triples`)
  return dataset
}

function pathText (path) {
  if (!path || path.length === 0) return '(none)'
  return path.map(step => {
    const preds = step.predicates.map(p => compact(p.value)).join('|')
    const inv = step.start === 'object' ? '^' : ''
    const q = { oneOrMore: '+', zeroOrMore: '*', zeroOrOne: '?' }[step.quantifier] || ''
    return inv + preds + q
  }).join('/')
}

function resultLine (r) {
  const sev = compact(r.severity.value).replace('sh:', '')
  const focus = r.focusNode && r.focusNode.term ? termText(r.focusNode.term) : '(none)'
  let msg = r.message.map(m => m.value).join('; ')
  if (!msg && r.constraintComponent.value === SH + 'ClassConstraintComponent') {
    const classes = r.shape.ptr.out([rdf.namedNode(SH + 'class')]).terms.map(t => compact(t.value))
    msg = `Value is not an instance of ${classes.join(', ')}`
  }
  msg = msg || compact(r.constraintComponent.value)
  const value = r.value && r.value.term ? ` [value ${termText(r.value.term)}]` : ''
  return `${sev}: focus ${focus}, path ${pathText(r.path)}: ${msg}${value}`
}

const SH = 'http://www.w3.org/ns/shacl#'
const RDFS_SUBCLASSOF = 'http://www.w3.org/2000/01/rdf-schema#subClassOf'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'

// The ontology's rdfs:subClassOf triples above the classes the document
// uses: all that sh:class and the SPARQL constraints walk from a node's
// types up ("$this a/rdfs:subClassOf* core:UcoThing"). Taking only these,
// not the whole hierarchy, gives the same answers and keeps comunica's
// property paths fast.
export function classHierarchy (ontology, data) {
  const sub = rdf.namedNode(RDFS_SUBCLASSOF)
  const type = rdf.namedNode(RDF_TYPE)
  const hierarchy = rdf.dataset()
  const todo = [...data.match(null, type)].map(q => q.object)
  const done = new Set()
  while (todo.length > 0) {
    const cls = todo.pop()
    if (cls.termType !== 'NamedNode' || done.has(cls.value)) continue
    done.add(cls.value)
    for (const q of ontology.match(cls, sub)) {
      hierarchy.add(q)
      todo.push(q.object)
    }
  }
  return hierarchy
}

// SHACL-SPARQL constraints (sh:sparql with sh:select), each run per focus
// node with $this pre-bound and $PATH replaced by the shape's path; a row is a
// violation, its ?value and ?path taken from the row. shacl-engine has a
// plugin for this (shacl-engine/sparql.js), but version 1.1.2 compiles a
// shape holding several sh:sparql constraints as one and then reports every
// focus node of it (seen with the ontology's
// uco-owl:DatatypeProperty-shacl-constraints-shape), and it is slow: an
// engine per query over a plain stream source. Here each constraint runs on
// its own (a deactivated one not at all), with one comunica engine over an
// n3 Store, which comunica reads with its own cardinality estimates.
const SH_SPARQL_COMPONENT = rdf.namedNode(SH + 'SPARQLConstraintComponent')
const engine = new QueryEngine()
const bindings = new BindingsFactory(rdf)
const stores = new WeakMap()

function storeOf (dataset) {
  if (!stores.has(dataset)) stores.set(dataset, new Store([...dataset]))
  return stores.get(dataset)
}

function prefixLines (ptr) {
  const lines = []
  for (const p of ptr.out([rdf.namedNode(SH + 'prefixes')])) {
    for (const d of p.out([rdf.namedNode(SH + 'declare')])) {
      const prefix = d.out([rdf.namedNode(SH + 'prefix')]).value
      const ns = d.out([rdf.namedNode(SH + 'namespace')]).value
      lines.push(`PREFIX ${prefix}: <${ns}>`)
    }
  }
  return lines
}

async function runSparql (check, context) {
  const stream = await engine.queryBindings(check.query, {
    sources: [storeOf(context.focusNode.dataset)],
    initialBindings: bindings.bindings([[rdf.variable('this'), context.focusNode.term]])
  })
  const rows = await stream.toArray()
  for (const row of rows) {
    const path = row.has('path') && parsePath(context.focusNode.node([row.get('path')]))
    const value = context.focusNode.node([row.get('value') || context.focusNode.term])
    const args = bindingsToObject(row)
    context.violation(SH_SPARQL_COMPONENT, { args, message: check.message, path, source: check.source, value })
  }
  if (rows.length === 0) context.debug(SH_SPARQL_COMPONENT, { source: check.source })
}

function compileSparql (shape) {
  const checks = []
  for (const constraint of shape.sparql) {
    if (constraint.out([rdf.namedNode(SH + 'deactivated')]).value === 'true') continue
    const select = constraint.out([rdf.namedNode(SH + 'select')]).value
    if (!select) continue
    const query = [...prefixLines(constraint), select].join('\n')
    checks.push({
      query: query.split('$PATH').join(stringifyPath(shape.path)),
      message: constraint.out([rdf.namedNode(SH + 'message')]).terms,
      source: constraint.terms
    })
  }
  return {
    generic: async context => {
      for (const check of checks) await runSparql(check, context)
    }
  }
}

export const validations = new Map([[rdf.namedNode(SH + 'sparql'), compileSparql]])

export async function validate (ontology, data) {
  const merged = rdf.dataset()
  merged.addAll(data)
  merged.addAll(classHierarchy(ontology, data))
  const validator = new Validator(ontology, { factory: rdf, targetResolvers, validations })
  const report = await validator.validate({ dataset: merged })
  return { conforms: report.conforms, lines: report.results.map(resultLine) }
}

async function main (argv) {
  if (argv.length !== 2) {
    console.error('usage: node validate.mjs ONTOLOGY.ttl DOC.jsonld')
    return 2
  }
  let ontology
  try {
    ontology = await loadOntology(argv[0])
  } catch (e) {
    console.error(`validate: ontology: ${e.message}`)
    return 2
  }
  let data
  try {
    data = await loadDocument(argv[1])
  } catch (e) {
    console.error(`validate: ${e.message}`)
    return e instanceof DocumentError ? 1 : 2
  }
  const { conforms, lines } = await validate(ontology, data)
  for (const line of [...new Set(lines)].sort()) console.log(line)
  if (conforms) {
    console.log(`validate: ${argv[1]} conforms (${data.size} triples)`)
    return 0
  }
  console.log(`validate: ${argv[1]} does not conform: ${lines.length} result(s)`)
  return 1
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(code => { process.exitCode = code }, e => {
    console.error(`validate: ${e.stack || e}`)
    process.exitCode = 2
  })
}
