//! Random Segment-style event lines and random corruptions of them, from a seeded splitmix64 (no
//! dependency, the same cases on every run). Lines stay far below the reader's size limits (a few
//! KiB, keys of at most 12 characters, a few dozen keys per line) so that only JSON rules decide;
//! they never hold a `\n`, so a file of them has one case per line.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One generated line and the corruptions applied to it.
pub struct Case {
    pub bytes: Vec<u8>,
    pub corruptions: Vec<&'static str>,
}

/// A line, corrupted in about 45 cases out of 100 (twice in 5).
pub fn case(rng: &mut Rng) -> Case {
    let mut writer = Writer {
        rng,
        out: String::new(),
    };
    writer.event_line();
    let mut case = Case {
        bytes: writer.out.into_bytes(),
        corruptions: Vec::new(),
    };
    let times = match rng.below(100) {
        0..55 => 0,
        55..95 => 1,
        _ => 2,
    };
    for _ in 0..times {
        super::corrupt::corrupt(rng, &mut case);
    }
    case
}

const NAMES: &[&str] = &[
    "addToCart",
    "screen",
    "Home",
    "Cart",
    "checkout",
    "é",
    "日本",
    "a b",
    "ANDROID",
    "iOS",
    "0",
];
const KEYS: &[&str] = &[
    "sku",
    "qty",
    "price",
    "items",
    "filters",
    "a",
    "b",
    "",
    "a.b",
    "é",
    "k\\u0065y",
    "key",
    "screen_name",
    "session_id",
    "x\\ny",
    "\\u0000",
    "\\ud83d\\ude00",
    "[]",
];
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "12",
    "-7",
    "3.10",
    "1e400",
    "-1E-7",
    "1.5e+3",
    "0.000",
    "-0.0",
    "1E5",
    "123456789012345678901234567890",
    "9007199254740993",
    "2.5",
    "1763114400",
    "1763114400000",
];
const PIECES: &[&str] = &[
    "a",
    "Z",
    "09",
    " ",
    "é",
    "日本",
    "😀",
    "\u{2028}",
    "\u{7f}",
    "\\\"",
    "\\\\",
    "\\/",
    "\\b",
    "\\f",
    "\\n",
    "\\r",
    "\\t",
    "\\u00e9",
    "\\u0000",
    "\\ud83d\\ude00",
    "\\u2603",
    "\\uFFFF",
];
/// JSON whitespace, as the writer puts it between tokens now and then.
const SPACE: &[&str] = &["", "", "", "", " ", "\t", "\r", "  "];

struct Writer<'r> {
    rng: &'r mut Rng,
    out: String,
}

/// Writes one value (a member's, in `Writer::object`).
type Write<'a, 'r> = &'a dyn Fn(&mut Writer<'r>);

impl<'r> Writer<'r> {
    fn ws(&mut self) {
        let space = *self.rng.pick(SPACE);
        self.out.push_str(space);
    }

    /// Writes the members in a random order, each written by its closure.
    fn object(&mut self, members: Vec<(&str, Write<'_, 'r>)>) {
        self.out.push('{');
        let mut order: Vec<usize> = (0..members.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, self.rng.below(i + 1));
        }
        for (n, &i) in order.iter().enumerate() {
            if n > 0 {
                self.out.push(',');
            }
            self.ws();
            let (key, write) = &members[i];
            self.out.push('"');
            self.out.push_str(key);
            self.out.push('"');
            self.ws();
            self.out.push(':');
            self.ws();
            write(self);
            self.ws();
        }
        self.out.push('}');
    }

    fn event_line(&mut self) {
        let mut members: Vec<(&str, Write<'_, 'r>)> = Vec::new();
        let optional: [(&str, Write<'_, 'r>, usize); 10] = [
            ("event", &|w| w.dimension(), 80),
            (
                "type",
                &|w| w.pick_string(&["track", "screen", "identify", ""]),
                50,
            ),
            ("name", &|w| w.dimension(), 30),
            ("timestamp", &|w| w.timestamp(), 70),
            ("originalTimestamp", &|w| w.timestamp(), 20),
            ("sentAt", &|w| w.timestamp(), 20),
            ("context", &|w| w.context(), 80),
            ("properties", &|w| w.properties(), 85),
            ("session_id", &|w| w.dimension(), 15),
            ("platform", &|w| w.dimension(), 20),
        ];
        for (key, write, percent) in optional {
            if self.rng.chance(percent) {
                members.push((key, write));
            }
            // Rule under test: with duplicate keys the first qualifying value wins.
            if self.rng.chance(4) {
                members.push((key, write));
            }
        }
        if self.rng.chance(20) {
            members.push(("messageId", &|w| w.string(8)));
        }
        // Snowplow's fields, for its preset (prefix roots, an index in a path).
        let snowplow: [(&str, Write<'_, 'r>); 5] = [
            ("event_name", &|w| w.dimension()),
            ("app_id", &|w| w.dimension()),
            (
                "contexts_com_snowplowanalytics_mobile_application_1",
                &|w| {
                    w.out.push('[');
                    w.object(vec![
                        ("version", &|w| w.dimension()),
                        ("build", &|w| w.value(1)),
                    ]);
                    w.out.push(']');
                },
            ),
            (
                "unstruct_event_com_snowplowanalytics_mobile_screen_view_1",
                &|w| w.object(vec![("name", &|w| w.dimension()), ("id", &|w| w.string(3))]),
            ),
            ("contexts_com_acme_user_1", &|w| w.array(3)),
        ];
        for (key, write) in snowplow {
            if self.rng.chance(12) {
                members.push((key, write));
            }
        }
        self.ws();
        self.object(members);
        self.ws();
    }

    fn context(&mut self) {
        let app: Write<'_, 'r> = &|w| {
            w.object(vec![
                ("name", &|w| w.dimension()),
                ("version", &|w| w.dimension()),
            ])
        };
        let os: Write<'_, 'r> = &|w| w.object(vec![("name", &|w| w.dimension())]);
        let screen: Write<'_, 'r> = &|w| w.object(vec![("name", &|w| w.dimension())]);
        let page: Write<'_, 'r> = &|w| w.object(vec![("path", &|w| w.dimension())]);
        let mut members: Vec<(&str, Write<'_, 'r>)> = Vec::new();
        for (key, write) in [
            ("app", app),
            ("os", os),
            ("screen", screen),
            ("page", page),
            ("sessionId", &|w: &mut Self| w.dimension()),
            ("traits", &|w: &mut Self| w.value(2)),
        ] {
            if self.rng.chance(70) {
                members.push((key, write));
            }
        }
        self.object(members);
    }

    fn properties(&mut self) {
        match self.rng.below(20) {
            0 => self.value(2),
            1 => self.array(3),
            _ => self.random_object(4),
        }
    }

    /// A value a mapped path may find: mostly strings and numbers, now and then another type.
    fn dimension(&mut self) {
        match self.rng.below(12) {
            0 => self.out.push_str("\"\""),
            1 => self.value(1),
            2 | 3 => self.number(),
            _ => self.pick_string(NAMES),
        }
    }

    fn timestamp(&mut self) {
        match self.rng.below(4) {
            0 => self.number(),
            1 => self.string(4),
            _ => self.out.push_str("\"2026-11-30T10:15:00Z\""),
        }
    }

    fn value(&mut self, depth: usize) {
        match self.rng.below(if depth == 0 { 6 } else { 8 }) {
            0 | 1 => self.string(6),
            2 => self.number(),
            3 => self
                .out
                .push_str(if self.rng.chance(50) { "true" } else { "false" }),
            4 => self.out.push_str("null"),
            5 => self.pick_string(NAMES),
            6 => self.random_object(depth - 1),
            _ => self.array(depth - 1),
        }
    }

    fn random_object(&mut self, depth: usize) {
        let count = self.rng.below(6);
        let keys: Vec<&str> = (0..count).map(|_| *self.rng.pick(KEYS)).collect();
        let write: Write<'_, 'r> = &move |w| w.value(depth);
        self.object(keys.into_iter().map(|key| (key, write)).collect());
    }

    fn array(&mut self, depth: usize) {
        self.out.push('[');
        for i in 0..self.rng.below(4) {
            if i > 0 {
                self.out.push(',');
            }
            self.ws();
            if self.rng.chance(50) {
                self.random_object(depth);
            } else {
                self.value(depth);
            }
            self.ws();
        }
        self.out.push(']');
    }

    fn number(&mut self) {
        let number = *self.rng.pick(NUMBERS);
        self.out.push_str(number);
    }

    fn pick_string(&mut self, names: &[&str]) {
        let name = *self.rng.pick(names);
        self.out.push('"');
        self.out.push_str(name);
        self.out.push('"');
    }

    fn string(&mut self, pieces: usize) {
        self.out.push('"');
        for _ in 0..self.rng.below(pieces + 1) {
            let piece = *self.rng.pick(PIECES);
            self.out.push_str(piece);
        }
        self.out.push('"');
    }
}
