//! Property values for each event key: every JSON type, nested objects, arrays of objects (two
//! levels deep too), arrays of scalars, empty containers, and a few keys whose type changes with the
//! app version or the tenant.

use crate::catalog::EventDef;
use crate::json::J;
use crate::rng::Rng;

pub(crate) struct PropCx<'a> {
    pub rng: &'a mut Rng,
    pub generation: u8,
    pub travel: bool,
}

const SKUS: [&str; 8] = [
    "A1", "B7", "C3", "SW-1001", "SW-2040", "SW-3310", "Z9", "K-77",
];
const CATEGORIES: [&str; 7] = [
    "shoes",
    "outerwear",
    "kitchen",
    "toys",
    "garden",
    "books",
    "caf\u{e9}",
];
const QUERIES: [&str; 7] = [
    "running shoes",
    "rain jacket",
    "espresso machine",
    "lego",
    "caf\u{e9} table",
    "\"quoted\" term",
    "back\\slash",
];
const DESTINATIONS: [&str; 7] = [
    "Lisbon",
    "Z\u{fc}rich",
    "Kyoto",
    "New York",
    "S\u{e3}o Paulo",
    "Reykjav\u{ed}k",
    "Oslo",
];
const REASONS: [&str; 4] = ["too_small", "changed_mind", "damaged", "late"];
const CHANNELS: [&str; 4] = ["whatsapp", "email", "copy_link", "messenger"];

/// The `properties` object of one event, following its key list for this app generation.
pub(crate) fn properties(def: &EventDef, cx: &mut PropCx<'_>) -> Vec<(String, J)> {
    let mut out = Vec::new();
    for spec in def.props.split_whitespace() {
        let (key, keep) = match spec.as_bytes()[0] {
            b'?' => (&spec[1..], cx.rng.pct(70)),
            b'+' => (&spec[1..], cx.generation >= 2),
            b'-' => (&spec[1..], cx.generation < 2),
            _ => (spec, true),
        };
        if keep {
            let v = value(key, cx);
            out.push((key.to_string(), v));
        }
    }
    out
}

fn money(rng: &mut Rng, lo: i64, hi: i64) -> J {
    J::Num(format!("{}.{:02}", rng.range(lo, hi), rng.range(0, 99)))
}

fn string_from(rng: &mut Rng, items: &[&str]) -> J {
    J::str(*rng.pick(items))
}

fn id(rng: &mut Rng, prefix: &str) -> J {
    J::Str(format!("{prefix}{}", rng.range(100_000, 999_999)))
}

fn geo(rng: &mut Rng) -> J {
    J::obj(vec![
        ("lat", J::dec(rng.unit() * 120.0 - 60.0, 5)),
        ("lon", J::dec(rng.unit() * 340.0 - 170.0, 5)),
    ])
}

fn value(key: &str, cx: &mut PropCx<'_>) -> J {
    let travel = cx.travel;
    let r = &mut *cx.rng;
    match key {
        // Same key, different types: a string SKU at shopwave, a numeric room SKU at travelnest.
        "sku" if travel => J::int(r.range(100_000, 999_999)),
        "sku" => string_from(r, &SKUS),
        // Old shopwave versions sent the price as a string; travelnest sends whole amounts.
        "price" if travel => J::int(r.range(60, 900)),
        "price" if cx.generation == 0 => {
            J::Str(format!("{}.{:02}", r.range(1, 300), r.range(0, 99)))
        }
        "price" | "cart_total" | "revenue" | "amount" | "target_price" => money(r, 1, 500),
        "tax" | "shipping" => money(r, 0, 40),
        // Whole amounts are written without a fraction now and then: integer and number both seen.
        "total" if r.pct(40) => J::int(r.range(50, 3000)),
        "total" => money(r, 50, 3000),
        "qty" | "nights" | "guests" | "adults" | "position" | "zoom" | "step" | "photo_count"
        | "days_until" | "length" | "size_kb" | "article_id" | "launch_ms" | "stars" => J::int(
            r.range(1, 9)
                * if key == "launch_ms" || key == "size_kb" {
                    173
                } else {
                    1
                },
        ),
        "results_count" | "points" | "campaign_id" | "price_per_night" => J::int(r.range(0, 2400)),
        "children" | "discount_pct" | "total_steps" => J::int(r.range(0, 40) / 10 * 5),
        "rating" | "duration_s" => J::dec(1.0 + r.unit() * 4.0, 1),
        "session_length_s" if r.pct(8) => J::Num(format!("{}.{}e2", r.range(1, 9), r.range(0, 9))),
        "session_length_s" if r.pct(8) => J::Num(format!("{}e1", r.range(10, 99))),
        "session_length_s" => J::dec(r.unit() * 900.0, 1),
        "temperature_c" if r.pct(50) => J::int(r.range(-12, 35)),
        "temperature_c" => J::dec(r.unit() * 45.0 - 12.0, 1),
        "error_code" if travel => J::int(*r.pick(&[400, 404, 500, 503])),
        "error_code" => string_from(r, &["E_TIMEOUT", "E_OFFLINE", "E_PAYMENT_DECLINED"]),
        "gift" | "in_stock" | "success" | "marketing_opt_in" | "helpful" | "is_default"
        | "from_background" | "refundable" | "save_card" | "blocked" | "enabled" => {
            J::Bool(r.pct(50))
        }
        "coupon" | "referral_code" if r.pct(65) => J::Null,
        "coupon" | "referral_code" => J::Str(format!("SAVE{}", r.range(5, 30))),
        "title" if r.pct(30) => J::Null,
        "refund_amount" if r.pct(30) => J::Null,
        "refund_amount" => money(r, 10, 900),
        "query" => string_from(r, &QUERIES),
        "category" => string_from(r, &CATEGORIES),
        "destination" | "city" => string_from(r, &DESTINATIONS),
        "reason" => string_from(r, &REASONS),
        "share_channel" | "channel" => string_from(r, &CHANNELS),
        "currency" => string_from(r, &["EUR", "USD", "GBP", "CHF"]),
        "method" | "payment_method" => {
            string_from(r, &["email", "google", "apple", "card", "paypal"])
        }
        "check_in" | "check_out" | "ends_at" => {
            J::Str(format!("2026-{:02}-{:02}", r.range(1, 12), r.range(1, 28)))
        }
        "review_text" => string_from(
            r,
            &[
                "Great!\nWould buy again",
                "ok",
                "Tr\u{e8}s bien \u{1f600}",
                "",
            ],
        ),
        "order_id" | "booking_id" | "reservation_id" => id(r, "o-"),
        "hotel_id" | "listing_id" | "review_id" | "deal_id" | "banner_id" | "offer_id"
        | "video_id" | "promo_id" | "thread_id" | "tracking" => id(r, "x"),
        "filters" if travel => {
            let mut f = vec![("stars", J::int(r.range(2, 5)))];
            if r.pct(50) {
                f.push(("free_cancellation", J::Bool(r.pct(50))));
            }
            if r.pct(40) {
                f.push(("amenities", J::Arr(vec![J::str("wifi"), J::str("pool")])));
            }
            J::obj(f)
        }
        "filters" => {
            let mut f = vec![("brand", string_from(r, &["acme", "nordic", "zeta"]))];
            if r.pct(50) {
                f.push(("color", string_from(r, &["red", "black"])));
            }
            if r.pct(30) {
                f.push(("price_max", J::int(r.range(20, 200))));
            }
            J::obj(f)
        }
        "items" => items(r),
        "rooms" => {
            let rooms = (0..r.range(1, 2))
                .map(|_| {
                    let n = r.range(1, 3);
                    let guests: Vec<J> = (0..n)
                        .map(|_| J::obj(vec![("age", J::int(r.range(2, 80)))]))
                        .collect();
                    J::obj(vec![
                        ("room_type", string_from(r, &["double", "twin", "suite"])),
                        ("guests", J::Arr(guests)),
                        ("breakfast", J::Bool(r.pct(50))),
                    ])
                })
                .collect();
            J::Arr(rooms)
        }
        "guests_detail" => {
            let guests = (0..r.range(1, 3))
                .map(|_| {
                    let mut g = vec![
                        ("first_name", J::str("Ana")),
                        ("age", J::int(r.range(18, 80))),
                    ];
                    if r.pct(50) {
                        let doc = J::obj(vec![
                            ("type", J::str("passport")),
                            ("expires", J::str("2030-01-01")),
                        ]);
                        g.push(("documents", J::Arr(vec![doc])));
                    }
                    J::obj(g)
                })
                .collect();
            J::Arr(guests)
        }
        "tags" | "amenities" | "changes" | "photos" | "dates" | "listing_ids" => {
            let n = r.range(0, 3);
            J::Arr((0..n).map(|i| J::Str(format!("{key}-{i}"))).collect())
        }
        "address" => J::obj(vec![
            ("city", string_from(r, &DESTINATIONS)),
            ("country", string_from(r, &["PT", "CH", "JP", "US"])),
            ("geo", geo(r)),
        ]),
        "location" => geo(r),
        "bounds" => J::obj(vec![("north", J::dec(48.9, 3)), ("south", J::dec(48.8, 3))]),
        "settings" => J::obj(vec![
            ("push", J::Bool(r.pct(50))),
            ("email", J::Bool(r.pct(50))),
            (
                "quiet_hours",
                J::obj(vec![("from", J::str("22:00")), ("to", J::str("07:00"))]),
            ),
        ]),
        "extra" if r.pct(50) => J::Obj(Vec::new()),
        "extra" => J::obj(vec![("ab_test", string_from(r, &["A", "B"]))]),
        _ => J::Str(format!("{key}-{}", r.range(1, 20))),
    }
}

fn items(r: &mut Rng) -> J {
    if r.pct(5) {
        return J::Arr(Vec::new());
    }
    let list = (0..r.range(1, 3))
        .map(|_| {
            let mut item = vec![
                ("sku", string_from(r, &SKUS)),
                ("qty", J::int(r.range(1, 4))),
                ("price", money(r, 1, 200)),
            ];
            if r.pct(30) {
                item.push((
                    "options",
                    J::obj(vec![("size", string_from(r, &["S", "M", "L"]))]),
                ));
            }
            J::obj(item)
        })
        .collect();
    J::Arr(list)
}
