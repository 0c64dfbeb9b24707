//! Tenant `shopwave`: an e-commerce brand with a shopping app (Android, iOS), a web shop and a seller
//! app.

use crate::anomalies::{Effect, Planted};
use crate::catalog::{
    AppDef, EventDef as E, MOBILE, PlatformAt, PlatformDef, SECOND, SERVER, ScreenAt, SessionStyle,
    TenantDef, VersionDef, VersionText, WEB,
};

#[rustfmt::skip]
const fn v(text: &'static str, written: VersionText, start: f64, end: f64, base: f64, generation: u8) -> VersionDef {
    VersionDef { text, written, start, end, base, generation }
}

#[rustfmt::skip]
static ANDROID: [VersionDef; 3] = [
    v("3.8", VersionText::Str, 0.0, 0.6, 0.6, 0),
    v("3.9", VersionText::Str, 0.0, 1.0, 1.0, 1),
    v("3.10", VersionText::HalfNumber, 0.5, 1.0, 3.0, 2),
];
#[rustfmt::skip]
static IOS: [VersionDef; 3] = [
    v("3.8.2", VersionText::Str, 0.0, 0.3, 0.3, 0),
    v("3.9.1", VersionText::Str, 0.0, 1.0, 1.0, 1),
    v("3.10.0", VersionText::Str, 0.4, 1.0, 2.5, 2),
];
#[rustfmt::skip]
static WEB_VERSIONS: [VersionDef; 2] =
    [v("1042", VersionText::Number, 0.0, 1.0, 1.0, 1), v("1057", VersionText::Number, 0.55, 1.0, 3.0, 2)];
#[rustfmt::skip]
static SELLER_VERSIONS: [VersionDef; 2] =
    [v("1.4", VersionText::Str, 0.0, 1.0, 1.0, 1), v("1.5", VersionText::Str, 0.65, 1.0, 2.0, 2)];

#[rustfmt::skip]
const fn p(name: &'static str, at: PlatformAt, weight: f64, versions: &'static [VersionDef], session: SessionStyle, no_session_pct: u32, library: &'static str) -> PlatformDef {
    PlatformDef { name, at, weight, versions, session, no_session_pct, ascii: false, library }
}

#[rustfmt::skip]
static MAIN_PLATFORMS: [PlatformDef; 2] = [
    p("Android", PlatformAt::OsName, 0.55, &ANDROID, SessionStyle::ContextText("s-"), 0, "analytics-android"),
    p("iOS", PlatformAt::OsName, 0.45, &IOS, SessionStyle::ContextNumber(30), 0, "analytics-ios"),
];
#[rustfmt::skip]
static WEB_PLATFORMS: [PlatformDef; 1] =
    [p("Web", PlatformAt::TopLevel, 1.0, &WEB_VERSIONS, SessionStyle::ContextText("w-"), 12, "analytics.js")];
#[rustfmt::skip]
static SELLER_PLATFORMS: [PlatformDef; 2] = [
    p("Android", PlatformAt::OsName, 0.7, &SELLER_VERSIONS, SessionStyle::Property("sel-"), 0, "analytics-android"),
    p("iOS", PlatformAt::OsName, 0.3, &SELLER_VERSIONS, SessionStyle::Property("sel-"), 0, "analytics-ios"),
];

#[rustfmt::skip]
static SCREENS: [&str; 26] = [
    "Home", "Category", "Products Page", "Product Details", "Search", "Search Results", "Cart",
    "Checkout", "Shipping", "Payment", "Order Confirmation", "Wishlist", "Account", "Orders",
    "Order Details", "Returns", "Reviews", "Deals", "Notifications", "Settings", "Login", "Sign Up",
    "Onboarding", "Help", "Store Locator", "Chat",
];
#[rustfmt::skip]
static SELLER_SCREENS: [&str; 7] = [
    "Seller Dashboard", "Listings", "Listing Editor", "Seller Orders", "Payouts", "Messages",
    "Seller Settings",
];

#[rustfmt::skip]
static APPS: [AppDef; 3] = [
    AppDef { name: "Shopwave", kind: MOBILE, weight: 0.6, platforms: &MAIN_PLATFORMS, screens: &SCREENS, screen_at: ScreenAt::Context },
    AppDef { name: "Shopwave Web", kind: WEB, weight: 0.3, platforms: &WEB_PLATFORMS, screens: &SCREENS, screen_at: ScreenAt::PagePath },
    AppDef { name: "Shopwave Seller", kind: SECOND, weight: 0.1, platforms: &SELLER_PLATFORMS, screens: &SELLER_SCREENS, screen_at: ScreenAt::Property },
];

const MW: u8 = MOBILE | WEB;
const ALL: u8 = MOBILE | WEB | SECOND;
const MS: u8 = MOBILE | SECOND;

#[rustfmt::skip]
static EVENTS: [E; 57] = [
    E::new("appOpened", MS, "-", "from_background launch_ms", 30),
    E::new("appBackgrounded", MS, "-", "session_length_s", 15),
    E::new("pushReceived", MS, "-", "campaign_id ?title", 8),
    E::new("pushOpened", MOBILE, "Home|Notifications|Deals", "campaign_id", 5),
    E::new("login", ALL, "Login", "method success", 20),
    E::new("logout", ALL, "Account|Settings|Seller Settings", "", 5),
    E::new("signUp", MW, "Sign Up", "method ?referral_code marketing_opt_in", 10),
    E::new("search", MW, "Home|Search|Search Results|Category", "query results_count ?filters", 25),
    E::new("searchResultClicked", MW, "Search Results", "query position sku", 20),
    E::new("productViewed", MW, "Product Details", "sku price ?category ?rating in_stock", 40),
    E::new("productListViewed", MW, "Products Page|Category|Deals", "category ?filters items", 25),
    E::new("addToCart", MW, "Products Page|Product Details|Wishlist|Search Results", "sku price qty ?filters ?items ?tags gift coupon ?extra +currency", 30),
    E::new("removeFromCart", MW, "Cart", "sku qty", 10),
    E::new("cartViewed", MW, "Cart", "items cart_total +currency", 20),
    E::new("checkoutStarted", MW, "Cart|Checkout", "cart_total items ?coupon", 15),
    E::new("shippingInfoEntered", MW, "Shipping", "shipping_method address", 10),
    E::new("paymentInfoEntered", MW, "Payment", "payment_method", 10),
    E::new("orderCompleted", MW, "Order Confirmation", "order_id total revenue tax shipping currency items ?coupon -legacy_ref", 12),
    E::new("couponApplied", MW, "Cart|Checkout", "coupon discount_pct", 4),
    E::new("couponRejected", MW, "Cart|Checkout", "coupon reason", 2),
    E::new("wishlistAdded", MW, "Product Details|Products Page", "sku", 8),
    E::new("wishlistRemoved", MW, "Wishlist", "sku", 3),
    E::new("wishlistShared", MW, "Wishlist", "share_channel items", 4).new_only(),
    E::new("productShared", MW, "Product Details", "sku share_channel", 4),
    E::new("reviewSubmitted", MW, "Reviews|Order Details", "sku rating ?review_text ?photos", 4),
    E::new("reviewHelpfulClicked", MW, "Reviews|Product Details", "review_id helpful", 4),
    E::new("filterApplied", MW, "Products Page|Search Results|Category", "filters", 12),
    E::new("sortChanged", MW, "Products Page|Search Results|Category", "sort_by", 6),
    E::new("categoryViewed", MW, "Category|Home", "category", 10),
    E::new("bannerClicked", MW, "Home|Deals", "banner_id position ?campaign_id", 8),
    E::new("dealViewed", MW, "Deals", "deal_id discount_pct ends_at", 8),
    E::new("notificationSettingsChanged", MOBILE, "Settings|Notifications", "settings", 3),
    E::new("addressAdded", MW, "Shipping|Account", "address is_default", 3),
    E::new("orderTracked", MW, "Orders|Order Details", "order_id status", 8),
    E::new("returnRequested", MW, "Returns|Order Details", "order_id reason items", 3),
    E::new("helpArticleViewed", MW, "Help", "article_id", 5),
    E::new("chatStarted", MW, "Help|Chat", "topic", 3),
    E::new("storeLocatorSearched", MOBILE, "Store Locator", "query results_count location", 3),
    E::new("errorShown", ALL, "", "error_code message", 2),
    E::new("onboardingStepCompleted", MOBILE, "Onboarding", "step total_steps", 6),
    E::new("onboardingSkipped", MOBILE, "Onboarding", "step", 3).old_only(),
    E::new("videoPlayed", MW, "Product Details", "video_id duration_s", 3),
    E::new("recentlyViewedOpened", MOBILE, "Home|Account", "", 3),
    E::new("priceAlertSet", MOBILE, "Product Details|Wishlist", "sku target_price", 3).new_only(),
    E::new("legacyPromoViewed", MOBILE, "Home|Deals", "promo_id legacy_ref", 30).old_only(),
    E::new("listingCreated", SECOND, "Listing Editor", "listing_id price category photos", 10),
    E::new("listingUpdated", SECOND, "Listing Editor|Listings", "listing_id changes", 10),
    E::new("listingDeleted", SECOND, "Listings", "listing_id", 3),
    E::new("payoutRequested", SECOND, "Payouts", "amount currency", 5),
    E::new("payoutViewed", SECOND, "Payouts|Seller Dashboard", "amount +currency", 5),
    E::new("sellerOrderAccepted", SECOND, "Seller Orders", "order_id items", 10),
    E::new("sellerMessageSent", SECOND, "Messages", "thread_id length", 8),
    E::new("sellerStatsViewed", SECOND, "Seller Dashboard", "period ?filters", 8),
    E::new("bulkPriceEdited", SECOND, "Listings", "listing_ids discount_pct", 3).new_only(),
    E::new("orderShipped", SERVER, "-", "order_id carrier tracking", 3),
    E::new("refundIssued", SERVER, "-", "order_id amount reason", 1),
    E::new("subscriptionRenewed", SERVER, "-", "plan amount currency", 1),
];

pub(crate) static SHOPWAVE: TenantDef = TenantDef {
    slug: "shopwave",
    volume: 1.0,
    apps: &APPS,
    events: &EVENTS,
    gaps: &[],
    anomalies: &ANOMALIES,
    travel: false,
};

/// On the shopping app's busiest releases, in the evening: Android 3.10 loses most of its screen
/// loads for three hours; two days later iOS 3.10.0 sends none for four; the web shop's 1057 sends
/// every page call four times for two hours. The stop is the one a range of two days always holds.
const EVENING: [u32; 5] = [15, 16, 17, 18, 19];
static ANOMALIES: [Planted; 3] = [
    Planted {
        app: "Shopwave",
        platform: "Android",
        version: "3.10",
        event: None,
        starts_utc: &[17, 18, 19],
        before_end: 40,
        hours: 3,
        effect: Effect::Keep(0.3),
    },
    Planted {
        app: "Shopwave",
        platform: "iOS",
        version: "3.10.0",
        event: None,
        starts_utc: &EVENING,
        before_end: 4,
        hours: 4,
        effect: Effect::Stop,
    },
    Planted {
        app: "Shopwave Web",
        platform: "Web",
        version: "1057",
        event: None,
        starts_utc: &[14, 15, 16],
        before_end: 20,
        hours: 2,
        effect: Effect::Times(4),
    },
];
