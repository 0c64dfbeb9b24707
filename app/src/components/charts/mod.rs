//! Charts drawn as SVG on the server (they need no script): a time chart (lines, or stacked bars
//! for shares and splits), a sparkline, and the colour scale of the heat map. Every mark carries a
//! `<title>`, so hovering shows the exact value.
//!
//! What they promise: a bucket only partly ingested is drawn lighter and dashed with "so far"
//! (`data-partial`), buckets not ingested yet are not drawn, a series keeps one colour across a
//! page ([`Palette`], from its label), count axes tick at whole numbers, and the SVG scales
//! without distortion (fewer, larger axis labels when narrow).

mod axes;
mod bands;
mod bars;
mod lines;
mod numbers;
mod palette;
mod scale;
mod sparkline;
mod time_chart;

pub use numbers::{compact, thousands};
pub use palette::{Palette, heat};
pub use scale::count_ticks;
pub use sparkline::Sparkline;
pub use time_chart::{ChartKind, TimeChart};
