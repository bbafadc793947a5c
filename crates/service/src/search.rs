//! Full-text search of the policy library: a tantivy index whose text is cut into words by
//! jieba, with traditional characters folded to simplified (the OpenCC tables) at index and at
//! query time, so that a query in either script finds documents in both.
//!
//! The index is a cache of the database, never a source. The database counts policy writes
//! (`policy_search_state.generation`, bumped in the transaction of every write, which stamps the
//! row it wrote); each index commit carries in its payload the generation it reflects and the
//! database instance it was built from. Before answering, the index is compared with the
//! database: behind, it indexes the rows stamped since (a write whose index update was lost in
//! a crash is among them); from another database, ahead of it, unreadable or missing, it is
//! rebuilt. A tantivy commit is atomic, so a crash leaves the previous commit, never a partial
//! one.

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;
use jieba_rs::{Jieba, TokenizeMode};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{doc, Index, IndexReader, IndexSettings, Order, ReloadPolicy, TantivyDocument, Term};

/// The tokenizer's name in the index.
const ZH: &str = "zh_folded";
/// Bumped whenever the schema or the tokenizer changes: an index of another layout is rebuilt.
const LAYOUT: u32 = 1;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);
static T2S: LazyLock<OpenCC> =
    LazyLock::new(|| OpenCC::from_config(BuiltinConfig::T2s).expect("built-in t2s tables load"));

/// `text` in simplified characters and lower case, character for character (so that offsets in
/// the folded text are offsets in the original).
pub fn fold(text: &str) -> String {
    let whole = T2S.convert(text);
    let folded = if whole.chars().count() == text.chars().count() {
        whole
    } else {
        // A phrase table changed the length: fold one character at a time instead.
        let mut out = String::with_capacity(text.len());
        let mut buf = [0u8; 4];
        for c in text.chars() {
            let one = T2S.convert(c.encode_utf8(&mut buf));
            let mut it = one.chars();
            match (it.next(), it.next()) {
                (Some(f), None) => out.push(f),
                _ => out.push(c),
            }
        }
        out
    };
    fold_letters(&folded)
}

/// Full-width Latin letters and digits as ASCII, then lower case, character for character.
fn fold_letters(folded: &str) -> String {
    folded
        .chars()
        .map(|c| {
            // Full-width Latin letters and digits as ASCII, then lower case.
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        })
        .collect()
}

/// Words of `text` for the index or a query: folded, cut by jieba (`search` also yields the
/// shorter words inside long ones), with byte offsets into the original `text`. Punctuation and
/// spaces are no words.
pub fn words(text: &str, search: bool) -> Vec<(String, usize, usize)> {
    let folded = fold(text);
    // Byte offset in `text` of each character, and one past the end.
    let mut starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    starts.push(text.len());
    let mode = if search {
        TokenizeMode::Search
    } else {
        TokenizeMode::Default
    };
    JIEBA
        .tokenize(&folded, mode, false)
        .into_iter()
        .filter(|t| t.word.chars().any(char::is_alphanumeric))
        .filter_map(|t| {
            let from = *starts.get(t.start)?;
            let to = *starts.get(t.end)?;
            Some((t.word.to_string(), from, to))
        })
        .collect()
}

/// The index's tokenizer (see [`words`]).
#[derive(Clone, Default)]
pub struct ZhTokenizer;

pub struct ZhTokens {
    tokens: Vec<Token>,
    at: usize,
}

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = ZhTokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhTokens {
        let tokens = words(text, true)
            .into_iter()
            .enumerate()
            .map(|(position, (word, from, to))| Token {
                offset_from: from,
                offset_to: to,
                position,
                text: word,
                position_length: 1,
            })
            .collect();
        ZhTokens { tokens, at: 0 }
    }
}

/// The highlighter's tokenizer: the index's words in the order they stand in the text. jieba's
/// search mode gives a long word's shorter words beside it, not always in text order, and
/// tantivy's snippets take every word to start at or after the passage that holds the words
/// before it (a word starting earlier made its highlight start before the passage: a byte
/// range that wrapped around, and a panic, at 10,000 policies).
#[derive(Clone, Default)]
pub struct ZhSnippetTokenizer;

impl Tokenizer for ZhSnippetTokenizer {
    type TokenStream<'a> = ZhTokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhTokens {
        let mut words = words(text, true);
        words.sort_by_key(|(_, from, to)| (*from, *to));
        let tokens = words
            .into_iter()
            .enumerate()
            .map(|(position, (word, from, to))| Token {
                offset_from: from,
                offset_to: to,
                position,
                text: word,
                position_length: 1,
            })
            .collect();
        ZhTokens { tokens, at: 0 }
    }
}

/// A snippet generator of `field` for `query`, cutting with [`ZhSnippetTokenizer`]: what
/// `SnippetGenerator::create` does (each query word of the field, weighted by how rare it
/// is), with the words in text order.
fn snippets(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    field: Field,
    max_chars: usize,
) -> tantivy::Result<SnippetGenerator> {
    let mut terms: std::collections::BTreeSet<Term> = std::collections::BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut weights = std::collections::BTreeMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let n = searcher.doc_freq(&term)?;
        if n > 0 {
            weights.insert(text, 1.0 / (1.0 + n as tantivy::Score));
        }
    }
    Ok(SnippetGenerator::new(
        weights,
        TextAnalyzer::from(ZhSnippetTokenizer),
        field,
        max_chars,
    ))
}

impl TokenStream for ZhTokens {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    body: Field,
    issuers: Field,
    doc_number: Field,
    doc_key: Field,
    level: Field,
    region: Field,
    starts: Field,
    ends: Field,
    published: Field,
    date: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ZH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let number = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        id: b.add_u64_field("id", number.clone().set_stored()),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone()),
        issuers: b.add_text_field("issuers", text.clone()),
        doc_number: b.add_text_field("doc_number", text),
        doc_key: b.add_text_field("doc_key", STRING),
        level: b.add_text_field("level", STRING),
        region: b.add_u64_field("region", number.clone()),
        starts: b.add_u64_field("starts", number.clone()),
        ends: b.add_u64_field("ends", number.clone()),
        published: b.add_u64_field("published", number.clone()),
        date: b.add_u64_field("date", number),
    };
    (b.build(), fields)
}

/// A date `YYYY-MM-DD` as the number `YYYYMMDD`.
fn day_number(iso: Option<&str>) -> Option<u64> {
    iso.map(|d| d.replace('-', "")).and_then(|d| d.parse().ok())
}

/// The 文号 as the index keys it: folded and normalised (any brackets, no spaces).
pub fn doc_key(number: &str) -> String {
    zhichan_domain::policies::normalise_doc_number(&fold(number))
}

/// What the index needs of a policy.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: i64,
    pub title: Option<String>,
    pub body: String,
    pub issuers: Vec<String>,
    pub doc_number: Option<String>,
    pub level: String,
    pub region: u32,
    pub published_on: Option<String>,
    pub effective_on: Option<String>,
    pub expires_on: Option<String>,
    pub posted_on: Option<String>,
}

/// A search as the index runs it.
#[derive(Clone, Debug, Default)]
pub struct Search {
    pub q: String,
    pub level: Option<String>,
    pub region: Option<(u32, u32)>,
    pub issuer: Option<String>,
    /// In force (or not) on the day given (`YYYY-MM-DD`).
    pub in_force: Option<(bool, String)>,
    pub year: Option<i32>,
    pub by_date: bool,
    pub limit: usize,
    pub offset: usize,
}

/// The index's answer: ids in order, each with its highlights, and the exact total.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub ids: Vec<i64>,
    pub total: usize,
    /// Builds the highlights of a hit from its title and body.
    pub highlighter: Option<Arc<Highlighter>>,
}

/// Marks the words searched for in a policy's text.
pub struct Highlighter {
    title: SnippetGenerator,
    body: SnippetGenerator,
    /// The query's words, folded: where the first of them stands is where the passage is cut
    /// from (cutting the whole of a long text into words for every hit would cost too much).
    words: Vec<String>,
}

/// Characters kept around the first word found, before the passage is chosen.
const WINDOW_BEFORE: usize = 60;
const WINDOW_AFTER: usize = 240;

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Highlighter")
    }
}

/// A passage with the words found told apart from the text between them: segments rather than
/// marker characters, which real text holds (贛知發【2024】7號).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    /// From the title (else the body).
    pub title: bool,
    /// `(hit, text)` in order; joined, the passage as written (runs of white space as one space).
    pub segments: Vec<(bool, String)>,
}

fn marked(snippet: &tantivy::snippet::Snippet, title: bool) -> Option<Passage> {
    if snippet.highlighted().is_empty() {
        return None;
    }
    let text = snippet.fragment();
    // Runs of white space (line breaks of the text) shown as one space.
    let squeeze = |piece: &str| {
        let mut out = String::with_capacity(piece.len());
        for c in piece.chars() {
            if !c.is_whitespace() {
                out.push(c);
            } else if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out
    };
    let mut segments: Vec<(bool, String)> = Vec::new();
    let mut at = 0;
    for r in tantivy::snippet::collapse_overlapped_ranges(snippet.highlighted()) {
        // A range that does not lie in the passage, in order, on character boundaries, is
        // not marked (the text stays as written).
        if r.start < at
            || r.start > r.end
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        if r.start > at {
            segments.push((false, squeeze(&text[at..r.start])));
        }
        segments.push((true, squeeze(&text[r.start..r.end])));
        at = r.end;
    }
    if at < text.len() {
        segments.push((false, squeeze(&text[at..])));
    }
    if let Some(first) = segments.first_mut() {
        first.1 = first.1.trim_start().to_string();
    }
    if let Some(last) = segments.last_mut() {
        last.1 = last.1.trim_end().to_string();
    }
    segments.retain(|(_, t)| !t.is_empty());
    Some(Passage { title, segments })
}

impl Highlighter {
    /// Passages of the title and the body with the words searched for told apart.
    pub fn highlights(&self, title: Option<&str>, body: &str) -> Vec<Passage> {
        let mut out = Vec::new();
        if let Some(t) = title.and_then(|t| marked(&self.title.snippet(t), true)) {
            out.push(t);
        }
        if let Some(b) = marked(&self.body.snippet(self.window(body)), false) {
            out.push(b);
        }
        out
    }

    /// The part of `body` around the first query word in it (as written, or once folded).
    fn window<'a>(&self, body: &'a str) -> &'a str {
        let at = self.first(body).or_else(|| self.first_folded(body));
        let Some(at) = at else {
            return body;
        };
        let from = at.saturating_sub(WINDOW_BEFORE);
        let mut bytes = body.char_indices().map(|(i, _)| i).skip(from);
        let start = bytes.next().unwrap_or(body.len());
        let end = bytes
            .nth(WINDOW_BEFORE + WINDOW_AFTER)
            .unwrap_or(body.len());
        &body[start..end]
    }
}

impl Highlighter {
    /// Where the first query word stands in `text` (in characters).
    fn first(&self, text: &str) -> Option<usize> {
        self.words
            .iter()
            .filter_map(|w| text.find(w.as_str()))
            .min()
            .map(|at| text[..at].chars().count())
    }

    /// Where the first query word stands in `body` once folded (in characters): what
    /// `first(&fold(body))` answers, folding only the lines up to the one that holds it. Folding
    /// the whole of a long traditional text for every hit was most of a search's time (a page
    /// of 20 hits at 100,000 policies: about 4 of them traditional, 4,000 characters each). The
    /// lines folded one by one are the text folded whole: no key of the conversion tables holds
    /// a line break, so a phrase never spans one, and no query word does either. A line whose
    /// conversion changes its length (which would make [`fold`] fold character by character)
    /// sends the whole text the old way.
    fn first_folded(&self, body: &str) -> Option<usize> {
        if self.words.iter().any(|w| w.contains('\n')) {
            return self.first(&fold(body));
        }
        let mut before = 0;
        for line in body.split_inclusive('\n') {
            let chars = line.chars().count();
            let converted = T2S.convert(line);
            if converted.chars().count() != chars {
                return self.first(&fold(body));
            }
            let folded = fold_letters(&converted);
            if let Some(at) = self.first(&folded) {
                return Some(before + at);
            }
            before += chars;
        }
        None
    }
}

/// The generation an index commit reflects, and the database it was built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub generation: i64,
    pub instance: String,
}

impl Stamp {
    fn payload(&self) -> String {
        format!(
            "zhichan-policies/{LAYOUT}/{}/{}",
            self.generation, self.instance
        )
    }

    fn parse(payload: &str) -> Option<Stamp> {
        let rest = payload.strip_prefix(&format!("zhichan-policies/{LAYOUT}/"))?;
        let (generation, instance) = rest.split_once('/')?;
        Some(Stamp {
            generation: generation.parse().ok()?,
            instance: instance.to_string(),
        })
    }
}

/// One open index.
pub struct PolicyIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    stamp: std::sync::Mutex<Option<Stamp>>,
}

impl std::fmt::Debug for PolicyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PolicyIndex({:?})", self.stamp())
    }
}

fn wipe(dir: &Path) -> tantivy::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

impl PolicyIndex {
    /// Opens the index in `dir` (created, or recreated empty when it is unreadable or of another
    /// layout), or one in memory without a directory.
    pub fn open(dir: Option<&Path>) -> tantivy::Result<PolicyIndex> {
        let (schema, fields) = schema();
        let index = match dir {
            None => Index::create_in_ram(schema.clone()),
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                let existing = MmapDirectory::open(dir)
                    .ok()
                    .and_then(|d| Index::open(d).ok())
                    .filter(|i| i.schema() == schema);
                match existing {
                    Some(i) => i,
                    None => {
                        wipe(dir)?;
                        Index::create(
                            MmapDirectory::open(dir)?,
                            schema.clone(),
                            IndexSettings::default(),
                        )?
                    }
                }
            }
        };
        index
            .tokenizers()
            .register(ZH, TextAnalyzer::from(ZhTokenizer));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let stamp = index
            .load_metas()?
            .payload
            .as_deref()
            .and_then(Stamp::parse);
        Ok(PolicyIndex {
            index,
            reader,
            fields,
            stamp: std::sync::Mutex::new(stamp),
        })
    }

    /// What the last commit reflects (`None`: nothing yet, or of unknown origin).
    pub fn stamp(&self) -> Option<Stamp> {
        self.stamp.lock().expect("stamp lock").clone()
    }

    /// Replaces the entries of these policies (all entries first when `from_scratch`) and
    /// commits, stamped.
    pub fn write(
        &self,
        entries: &[Entry],
        from_scratch: bool,
        stamp: Stamp,
    ) -> tantivy::Result<()> {
        let mut writer = self
            .index
            .writer_with_num_threads::<TantivyDocument>(1, 30_000_000)?;
        if from_scratch {
            writer.delete_all_documents()?;
        }
        let f = self.fields;
        for e in entries {
            writer.delete_term(Term::from_field_u64(f.id, e.id as u64));
            let mut d = doc!(
                f.id => e.id as u64,
                f.body => e.body.as_str(),
                f.level => e.level.as_str(),
                f.region => u64::from(e.region),
            );
            if let Some(t) = &e.title {
                d.add_text(f.title, t);
            }
            for i in &e.issuers {
                d.add_text(f.issuers, i);
            }
            if let Some(n) = &e.doc_number {
                d.add_text(f.doc_number, n);
                d.add_text(f.doc_key, doc_key(n));
            }
            let published = day_number(e.published_on.as_deref());
            d.add_u64(
                f.starts,
                day_number(e.effective_on.as_deref())
                    .or(published)
                    .unwrap_or(0),
            );
            d.add_u64(
                f.ends,
                day_number(e.expires_on.as_deref()).unwrap_or(99_991_231),
            );
            d.add_u64(f.published, published.unwrap_or(0));
            d.add_u64(
                f.date,
                published
                    .or(day_number(e.posted_on.as_deref()))
                    .unwrap_or(0),
            );
            writer.add_document(d)?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&stamp.payload());
        commit.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        *self.stamp.lock().expect("stamp lock") = Some(stamp);
        Ok(())
    }

    /// How many policies the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn words_query(&self, text: &str, fields: &[(Field, f32)]) -> Vec<Box<dyn Query>> {
        let mut seen = std::collections::BTreeSet::new();
        words(text, false)
            .into_iter()
            .filter(|(w, _, _)| seen.insert(w.clone()))
            .map(|(w, _, _)| {
                let any: Vec<(Occur, Box<dyn Query>)> = fields
                    .iter()
                    .map(|(f, boost)| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(*f, &w),
                            IndexRecordOption::WithFreqs,
                        ));
                        let q: Box<dyn Query> = if *boost == 1.0 {
                            q
                        } else {
                            Box::new(BoostQuery::new(q, *boost))
                        };
                        (Occur::Should, q)
                    })
                    .collect();
                Box::new(BooleanQuery::new(any)) as Box<dyn Query>
            })
            .collect()
    }

    fn range(field: Field, lo: Bound<u64>, hi: Bound<u64>) -> Box<dyn Query> {
        let term = |b: Bound<u64>| match b {
            Bound::Included(v) => Bound::Included(Term::from_field_u64(field, v)),
            Bound::Excluded(v) => Bound::Excluded(Term::from_field_u64(field, v)),
            Bound::Unbounded => Bound::Unbounded,
        };
        Box::new(RangeQuery::new(term(lo), term(hi)))
    }

    /// Runs `s`: every word of the query must appear in the title, the text, the issuers or the
    /// 文号 (a query that reads as a 文号 also matches the 文号 written any way).
    pub fn search(&self, s: &Search) -> tantivy::Result<Found> {
        let f = self.fields;
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        let text_fields = [
            (f.title, 3.0),
            (f.body, 1.0),
            (f.issuers, 1.0),
            (f.doc_number, 2.0),
        ];
        let words = self.words_query(&s.q, &text_fields);
        let key = doc_key(&s.q);
        let text_match: Option<Box<dyn Query>> = if words.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(
                words.into_iter().map(|q| (Occur::Must, q)).collect(),
            )))
        };
        if key.contains('〔') {
            // A 文号: the whole number, or its words in the 文号 field.
            let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.doc_key, &key),
                        IndexRecordOption::Basic,
                    )),
                    5.0,
                )),
            )];
            let parts = self.words_query(&key, &[(f.doc_number, 1.0)]);
            if !parts.is_empty() {
                any.push((
                    Occur::Should,
                    Box::new(BooleanQuery::new(
                        parts.into_iter().map(|q| (Occur::Must, q)).collect(),
                    )),
                ));
            }
            must.push(Box::new(BooleanQuery::new(any)));
        } else if let Some(q) = text_match {
            must.push(q);
        }
        if let Some(level) = &s.level {
            must.push(Box::new(TermQuery::new(
                Term::from_field_text(f.level, level),
                IndexRecordOption::Basic,
            )));
        }
        if let Some((lo, hi)) = s.region {
            must.push(Self::range(
                f.region,
                Bound::Included(lo.into()),
                Bound::Included(hi.into()),
            ));
        }
        if let Some(issuer) = &s.issuer {
            let parts = self.words_query(issuer, &[(f.issuers, 1.0)]);
            must.push(Box::new(BooleanQuery::new(
                parts.into_iter().map(|q| (Occur::Must, q)).collect(),
            )));
        }
        if let Some(year) = s.year {
            let y = u64::try_from(year).unwrap_or(0);
            must.push(Self::range(
                f.published,
                Bound::Included(y * 10_000 + 101),
                Bound::Included(y * 10_000 + 1231),
            ));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            must.into_iter().map(|q| (Occur::Must, q)).collect();
        if let Some((wanted, today)) = &s.in_force {
            let today = day_number(Some(today)).unwrap_or(0);
            let inside: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Self::range(f.starts, Bound::Unbounded, Bound::Included(today)),
                ),
                (
                    Occur::Must,
                    Self::range(f.ends, Bound::Included(today), Bound::Unbounded),
                ),
            ]));
            clauses.push((if *wanted { Occur::Must } else { Occur::MustNot }, inside));
        }
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(s.limit.max(1)).and_offset(s.offset);
        let (addresses, total) = if s.by_date {
            let (hits, total) = searcher.search(
                &query,
                &(top.order_by_fast_field::<u64>("date", Order::Desc), Count),
            )?;
            (hits.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), total)
        } else {
            let (hits, total) = searcher.search(&query, &(top, Count))?;
            (hits.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), total)
        };
        let mut ids = Vec::with_capacity(addresses.len());
        for a in addresses {
            let d: TantivyDocument = searcher.doc(a)?;
            if let Some(id) = d.get_first(f.id).and_then(|v| v.as_u64()) {
                ids.push(id as i64);
            }
        }
        let highlighter = if s.q.trim().is_empty() {
            None
        } else {
            let title = snippets(&searcher, &query, f.title, 200)?;
            let body = snippets(&searcher, &query, f.body, 80)?;
            let words = self::words(&s.q, false)
                .into_iter()
                .map(|(w, _, _)| w)
                .collect();
            Some(Arc::new(Highlighter { title, body, words }))
        };
        Ok(Found {
            ids,
            total,
            highlighter,
        })
    }
}

impl PolicyIndex {
    /// Policies related to one: those sharing most of the words of its title (and its issuers),
    /// best first, the policy itself left out. A title of no words finds nothing.
    pub fn related(
        &self,
        id: i64,
        title: &str,
        issuers: &str,
        limit: usize,
    ) -> tantivy::Result<Vec<i64>> {
        let f = self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = self
            .words_query(title, &[(f.title, 3.0), (f.body, 1.0)])
            .into_iter()
            .map(|q| (Occur::Should, q))
            .collect();
        if should.is_empty() {
            return Ok(Vec::new());
        }
        should.extend(
            self.words_query(issuers, &[(f.issuers, 0.5)])
                .into_iter()
                .map(|q| (Occur::Should, q)),
        );
        let own = u64::try_from(id).unwrap_or(0);
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(should)) as Box<dyn Query>,
            ),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.id, own),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let searcher = self.reader.searcher();
        let hits = searcher.search(&query, &TopDocs::with_limit(limit.max(1)))?;
        let mut ids = Vec::with_capacity(hits.len());
        for (_, a) in hits {
            let d: TantivyDocument = searcher.doc(a)?;
            if let Some(id) = d.get_first(f.id).and_then(|v| v.as_u64()) {
                ids.push(id as i64);
            }
        }
        Ok(ids)
    }
}

/// Where the index lives: a directory, or memory (rebuilt from the database at each start).
#[derive(Debug, Default)]
pub struct Slot {
    pub dir: Option<PathBuf>,
    pub index: tokio::sync::OnceCell<Arc<PolicyIndex>>,
    /// One catch-up or rebuild at a time.
    pub syncing: tokio::sync::Mutex<()>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified_keeping_offsets() {
        let text = "國家知識產權局關於專利";
        // The index cuts for search (the long word and the words inside it); a query keeps
        // the long word whole, which the index therefore holds too.
        let w = words(text, true);
        let joined: Vec<&str> = w.iter().map(|(s, _, _)| s.as_str()).collect();
        assert!(joined.contains(&"国家"), "{joined:?}");
        let query: Vec<String> = words(text, false).into_iter().map(|(s, _, _)| s).collect();
        assert!(
            query.iter().all(|q| joined.contains(&q.as_str())),
            "{query:?} in {joined:?}"
        );
        for (_, from, to) in &w {
            assert!(text.is_char_boundary(*from) && text.is_char_boundary(*to));
        }
        assert_eq!(doc_key("贛知 [2022] 20 號"), doc_key("赣知〔2022〕20号"));
    }

    fn highlighter(query: &str) -> Highlighter {
        let generator = |max| {
            let weights = words(query, true)
                .into_iter()
                .map(|(w, _, _)| (w, 1.0))
                .collect();
            SnippetGenerator::new(
                weights,
                TextAnalyzer::from(ZhSnippetTokenizer),
                Field::from_field_id(0),
                max,
            )
        };
        Highlighter {
            title: generator(200),
            body: generator(80),
            words: words(query, false).into_iter().map(|(w, _, _)| w).collect(),
        }
    }

    /// A traditional text's first word found, folding line by line, is where folding it whole
    /// finds it: in the first line, a later one, the last one without a line break, or nowhere.
    #[test]
    fn first_word_of_a_traditional_text_is_where_the_whole_text_folded_has_it() {
        let h = highlighter("专利质押 中小企业");
        let plain = "第1条 為推動人才培養，優化知識產權保護中心，對符合條件的申報單位給予支持。\n";
        let hit = "第2条 為規範專利質押融資，對符合條件的中小企業按照補助比例給予支持。\n";
        let mut bodies = vec![
            format!("{hit}{plain}{plain}"),
            format!("{plain}{plain}{hit}{plain}"),
            format!("{plain}{plain}{}", hit.trim_end()),
            format!("{plain}{plain}"),
            format!("{plain}ＡＢ國家\n\n{hit}"),
        ];
        bodies.push(plain.repeat(200) + hit);
        for body in &bodies {
            assert_eq!(h.first_folded(body), h.first(&fold(body)), "{body}");
        }
        assert_eq!(h.first_folded(&bodies[3]), None);
        assert!(h.first_folded(&bodies[1]).is_some());
    }

    /// A hit written in traditional characters is highlighted without folding the whole of
    /// its text, which at 100,000 policies was most of a search's time: a long text whose words
    /// stand in its second line costs a small part of folding it once.
    #[test]
    fn a_long_traditional_hit_is_highlighted_without_folding_all_of_it() {
        let h = highlighter("专利质押 中小企业");
        let plain = "第1条 為推動人才培養，優化知識產權保護中心，對符合條件的申報單位給予支持。\n";
        let hit = "第2条 為規範專利質押融資，對符合條件的中小企業按照補助比例給予支持。\n";
        let body = format!("{plain}{hit}{}", plain.repeat(5_000));
        // The quickest of three of each (tests run side by side on a shared machine).
        let quickest = |f: &dyn Fn()| {
            (0..3)
                .map(|_| {
                    let started = std::time::Instant::now();
                    f();
                    started.elapsed()
                })
                .min()
                .expect("three runs")
        };
        let folding = quickest(&|| assert!(!fold(&body).is_empty()));
        let highlighting = quickest(&|| {
            h.highlights(Some("關於專利質押的通知"), &body);
        });
        let passages = h.highlights(Some("關於專利質押的通知"), &body);
        assert!(
            passages.iter().any(|p| !p.title
                && p.segments
                    .iter()
                    .any(|(hit, t)| *hit && fold(t).contains("中小企业"))),
            "{passages:?}"
        );
        assert!(
            highlighting * 10 < folding,
            "highlighting took {highlighting:?}, folding the text once {folding:?}"
        );
    }

    /// Generated text (province scale) on which the highlighter once panicked: a word of the
    /// search mode starting before the passage that held the words before it.
    #[test]
    fn highlights_of_any_passage_lie_in_it() {
        let text = "關企業按照補助比例给予支持，具体實施細則由广信区科學技術廳另行制定。\n\
                    第5条 为推動人才培養，優化專利質押融資和知識產權保護中心，对符合条件的\
                    補助比例按照年度計劃给予支持，具体申報單位由广信区科學技術廳另行制定。";
        let mut tokenizer = ZhSnippetTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut last = 0;
        while stream.advance() {
            assert!(
                stream.token().offset_from >= last,
                "words out of text order"
            );
            last = stream.token().offset_from;
        }
        let query = "专利质押 中小企业";
        let terms: Vec<String> = words(query, true).into_iter().map(|(w, _, _)| w).collect();
        let weights = terms.iter().map(|w| (w.clone(), 1.0)).collect();
        let g = SnippetGenerator::new(
            weights,
            TextAnalyzer::from(ZhSnippetTokenizer),
            Field::from_field_id(0),
            80,
        );
        let mut marked_any = false;
        for (i, _) in text.char_indices() {
            let Some(p) = marked(&g.snippet(&text[i..]), false) else {
                continue;
            };
            for (hit, piece) in &p.segments {
                if *hit {
                    marked_any = true;
                    assert!(
                        terms.iter().any(|t| fold(piece).contains(t.as_str())),
                        "{piece} marked for {terms:?}"
                    );
                }
            }
        }
        assert!(marked_any);
    }
}
