//! Tenant `travelnest`: a hotel-booking brand with a booking app (Android, iOS), a web site and a
//! host app; its events folder has gaps.

use crate::catalog::{
    AppDef, EventDef as E, MOBILE, PlatformAt, PlatformDef, SECOND, SERVER, ScreenAt, SessionStyle,
    TenantDef, VersionDef, VersionText, WEB,
};

#[rustfmt::skip]
const fn v(text: &'static str, start: f64, end: f64, base: f64, generation: u8) -> VersionDef {
    VersionDef { text, written: VersionText::Str, start, end, base, generation }
}

#[rustfmt::skip]
static ANDROID: [VersionDef; 2] = [v("5.2.0", 0.0, 1.0, 1.0, 1), v("5.3.0", 0.35, 1.0, 2.5, 2)];
#[rustfmt::skip]
static IOS: [VersionDef; 3] =
    [v("5.1", 0.0, 0.25, 0.4, 0), v("5.2", 0.0, 1.0, 1.0, 1), v("5.3", 0.45, 1.0, 2.5, 2)];
#[rustfmt::skip]
static WEB_VERSIONS: [VersionDef; 2] = [v("web-118", 0.0, 1.0, 1.0, 1), v("web-121", 0.7, 1.0, 3.0, 2)];
#[rustfmt::skip]
static HOST_VERSIONS: [VersionDef; 2] = [v("2.0", 0.0, 0.85, 1.0, 1), v("2.1", 0.6, 1.0, 2.0, 2)];

#[rustfmt::skip]
#[allow(clippy::too_many_arguments)]
const fn p(name: &'static str, at: PlatformAt, weight: f64, versions: &'static [VersionDef], session: SessionStyle, no_session_pct: u32, ascii: bool, library: &'static str) -> PlatformDef {
    PlatformDef { name, at, weight, versions, session, no_session_pct, ascii, library }
}

#[rustfmt::skip]
static MAIN_PLATFORMS: [PlatformDef; 2] = [
    p("Android", PlatformAt::OsName, 0.5, &ANDROID, SessionStyle::ContextText("tn-"), 3, false, "rudder-android"),
    p("iOS", PlatformAt::OsName, 0.5, &IOS, SessionStyle::ContextText("tn-"), 3, true, "rudder-ios"),
];
#[rustfmt::skip]
static WEB_PLATFORMS: [PlatformDef; 1] =
    [p("web", PlatformAt::TopLevel, 1.0, &WEB_VERSIONS, SessionStyle::ContextText("tw-"), 20, false, "rudder-js")];
#[rustfmt::skip]
static HOST_PLATFORMS: [PlatformDef; 2] = [
    p("Android", PlatformAt::OsName, 0.5, &HOST_VERSIONS, SessionStyle::TopLevelNumber, 0, false, "rudder-android"),
    p("iOS", PlatformAt::OsName, 0.5, &HOST_VERSIONS, SessionStyle::TopLevelNumber, 0, true, "rudder-ios"),
];

#[rustfmt::skip]
static SCREENS: [&str; 25] = [
    "Home", "Search", "Search Results", "Map", "Filters", "H\u{f4}tel Details", "Photos",
    "Room Selection", "Guest Details", "Booking Summary", "Payment", "Booking Confirmation", "Trips",
    "Trip Details", "Favourites", "Account", "Loyalty", "Settings", "Login", "Sign Up", "Help",
    "Chat", "Notifications", "Onboarding", "Reviews",
];
#[rustfmt::skip]
static HOST_SCREENS: [&str; 7] = [
    "Host Dashboard", "Calendar", "Reservations", "Reservation Details", "Host Listing",
    "Host Payouts", "Host Inbox",
];

#[rustfmt::skip]
static APPS: [AppDef; 3] = [
    AppDef { name: "Travelnest", kind: MOBILE, weight: 0.55, platforms: &MAIN_PLATFORMS, screens: &SCREENS, screen_at: ScreenAt::Context },
    AppDef { name: "Travelnest Web", kind: WEB, weight: 0.3, platforms: &WEB_PLATFORMS, screens: &SCREENS, screen_at: ScreenAt::PagePath },
    AppDef { name: "Travelnest Host", kind: SECOND, weight: 0.15, platforms: &HOST_PLATFORMS, screens: &HOST_SCREENS, screen_at: ScreenAt::Property },
];

const MW: u8 = MOBILE | WEB;
const ALL: u8 = MOBILE | WEB | SECOND;
const MS: u8 = MOBILE | SECOND;

#[rustfmt::skip]
static EVENTS: [E; 53] = [
    E::new("appOpened", MS, "-", "from_background launch_ms", 30),
    E::new("appBackgrounded", MS, "-", "session_length_s", 15),
    E::new("pushReceived", MS, "-", "campaign_id ?title", 8),
    E::new("pushOpened", MOBILE, "Home|Notifications|Trips", "campaign_id", 5),
    E::new("login", ALL, "Login", "method success", 20),
    E::new("logout", ALL, "Account|Settings", "", 4),
    E::new("signUp", MW, "Sign Up", "method marketing_opt_in", 8),
    E::new("search", MW, "Home|Search|Search Results|Map", "destination check_in check_out guests ?filters", 30),
    E::new("searchResultClicked", MW, "Search Results|Map", "hotel_id position", 20),
    E::new("mapViewed", MW, "Map", "bounds zoom", 10),
    E::new("mapPinClicked", MW, "Map", "hotel_id", 10),
    E::new("hotelViewed", MW, "H\u{f4}tel Details", "hotel_id stars price_per_night ?rating amenities address", 35),
    E::new("photosViewed", MW, "Photos|H\u{f4}tel Details", "hotel_id photo_count", 10),
    E::new("roomSelected", MW, "Room Selection", "hotel_id room_type nights price_per_night", 15),
    E::new("addToCart", MW, "Room Selection|H\u{f4}tel Details", "sku qty price rooms", 15),
    E::new("bookingStarted", MW, "Booking Summary|Room Selection", "hotel_id nights guests total", 12),
    E::new("guestDetailsEntered", MW, "Guest Details", "guests_detail", 10),
    E::new("paymentInfoEntered", MW, "Payment", "payment_method ?save_card", 10),
    E::new("bookingCompleted", MW, "Booking Confirmation", "booking_id total currency rooms refundable ?coupon", 10),
    E::new("bookingCancelled", MW, "Trip Details", "booking_id reason refund_amount", 3),
    E::new("favouriteAdded", MW, "H\u{f4}tel Details|Search Results", "hotel_id", 8),
    E::new("favouriteRemoved", MW, "Favourites", "hotel_id", 3),
    E::new("reviewSubmitted", MW, "Reviews|Trip Details", "hotel_id rating ?review_text", 4),
    E::new("filterApplied", MW, "Filters|Search Results|Map", "filters", 12),
    E::new("sortChanged", MW, "Search Results", "sort_by", 6),
    E::new("dateChanged", MW, "Search|Search Results|Booking Summary", "check_in check_out", 8),
    E::new("guestsChanged", MW, "Search|Booking Summary", "adults children", 6),
    E::new("currencyChanged", MW, "Settings|Account", "currency", 2),
    E::new("tripViewed", MW, "Trips|Trip Details", "booking_id days_until", 10),
    E::new("checkInOnline", MOBILE, "Trip Details", "booking_id", 5).new_only(),
    E::new("loyaltyPointsViewed", MW, "Loyalty|Account", "points tier", 6),
    E::new("loyaltyRedeemed", MW, "Loyalty", "points reward", 2),
    E::new("shareTrip", MOBILE, "Trip Details|Trips", "share_channel", 3),
    E::new("helpArticleViewed", MW, "Help", "article_id", 4),
    E::new("chatStarted", MW, "Help|Chat", "topic", 3),
    E::new("errorShown", ALL, "", "error_code message", 2),
    E::new("priceAlertSet", MW, "H\u{f4}tel Details|Favourites", "hotel_id target_price", 3),
    E::new("recentSearchClicked", MW, "Home|Search", "destination", 8),
    E::new("flexibleDatesToggled", MW, "Search|Filters", "enabled", 4),
    E::new("weatherWidgetViewed", MOBILE, "Trip Details|Home", "city temperature_c", 5).old_only(),
    E::new("offerBannerClicked", MW, "Home|Search Results", "offer_id position", 6),
    E::new("mapFilterApplied", MOBILE, "Map", "filters", 4).new_only(),
    E::new("onboardingStepCompleted", MOBILE, "Onboarding", "step", 5),
    E::new("hostCalendarUpdated", SECOND, "Calendar", "listing_id dates blocked", 10),
    E::new("reservationAccepted", SECOND, "Reservations|Reservation Details", "reservation_id nights", 10),
    E::new("reservationDeclined", SECOND, "Reservation Details", "reservation_id reason", 3),
    E::new("hostPayoutViewed", SECOND, "Host Payouts|Host Dashboard", "amount currency", 5),
    E::new("listingPhotoUploaded", SECOND, "Host Listing", "listing_id size_kb", 5),
    E::new("hostMessageSent", SECOND, "Host Inbox", "thread_id length", 8),
    E::new("pricingUpdated", SECOND, "Host Listing|Calendar", "listing_id price_per_night", 5),
    E::new("instantBookToggled", SECOND, "Host Listing", "listing_id enabled", 3).new_only(),
    E::new("bookingReminderSent", SERVER, "-", "booking_id days_until channel", 2),
    E::new("paymentSettled", SERVER, "-", "booking_id amount currency", 2),
];

pub(crate) static TRAVELNEST: TenantDef = TenantDef {
    slug: "travelnest",
    volume: 0.8,
    apps: &APPS,
    events: &EVENTS,
    gaps: &[(0.4, 3), (0.75, 1)],
    anomalies: &[],
    travel: true,
};
