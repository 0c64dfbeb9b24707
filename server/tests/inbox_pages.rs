//! The inbox page by page, on both databases: `GET /api/v1/inbox` keeps its shape (`unread`,
//! `items`) and adds the `older`/`newer` cursors, followed with `before=`/`after=` to the oldest
//! item and back; the `/inbox` page links "older" and "newer" as plain links (no JavaScript).

mod support;

use blueprint_core::entities::{notification, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use support::{TestServer, VIEWER, get_as};

const ITEMS: i64 = 250;

/// `ITEMS` notifications for VIEWER in `shop`, `item 0` the oldest.
async fn fill(server: &TestServer) {
    let conn = server.state.services.db.conn();
    let viewer = user::Entity::find()
        .filter(user::Column::Email.eq(VIEWER))
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    let shop = blueprint_core::tenants::by_slug(conn, "shop")
        .await
        .unwrap()
        .unwrap();
    let rows: Vec<notification::ActiveModel> = (0..ITEMS)
        .map(|i| notification::ActiveModel {
            user_id: Set(viewer.id),
            tenant_id: Set(shop.id),
            kind: Set("event".into()),
            title: Set(format!("item {i}")),
            link: Set("/t/shop".into()),
            dedupe: Set(format!("test:{i}")),
            created_at: Set(i),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(100) {
        notification::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await
            .unwrap();
    }
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_inbox_pages_to_its_oldest_item_on_the_api_and_the_page() {
    for server in TestServer::with_users().await {
        fill(&server).await;
        let viewer = server.sign_in(VIEWER).await;
        let api = |path: String| {
            let router = server.router.clone();
            let viewer = viewer.clone();
            async move {
                let (status, body) = get_as(&router, &path, &viewer).await;
                assert_eq!(status.as_u16(), 200, "{path}: {body}");
                serde_json::from_str::<Value>(&body).unwrap()
            }
        };
        // The API: the old shape, a cursor to the next page, until the oldest item.
        let first = api("/api/v1/inbox?limit=100".into()).await;
        assert_eq!(first["unread"], ITEMS, "{}", server.label);
        assert!(first.get("newer").is_none(), "{first}");
        let mut seen = titles(&first);
        let mut page = first;
        let mut pages = 1;
        while let Some(older) = page["older"].as_i64() {
            page = api(format!("/api/v1/inbox?limit=100&before={older}")).await;
            seen.extend(titles(&page));
            pages += 1;
        }
        assert_eq!(pages, 3, "{}", server.label);
        assert_eq!(seen.len(), ITEMS as usize);
        assert_eq!(seen.last().map(String::as_str), Some("item 0"));
        let newer = page["newer"].as_i64().unwrap();
        let back = api(format!("/api/v1/inbox?limit=100&after={newer}")).await;
        assert_eq!(titles(&back)[0], "item 149", "{}", server.label);
        let (status, body) = get_as(&server.router, "/api/v1/inbox?before=soon", &viewer).await;
        assert_eq!(status.as_u16(), 400, "{body}");
        assert!(body.contains("not a page cursor"), "{body}");

        // The page: plain links to older pages reach the oldest item, and lead back.
        let (status, mut html) = get_as(&server.router, "/inbox", &viewer).await;
        assert_eq!(status.as_u16(), 200);
        assert!(html.contains(">item 249</a>"), "{}: {html}", server.label);
        assert!(!html.contains("← newer"), "{html}");
        let mut visited = 1;
        while let Some(at) = html.find("href=\"/inbox?before=") {
            let start = at + "href=\"".len();
            let end = start + html[start..].find('"').unwrap();
            let link = html[start..end].to_owned();
            (_, html) = get_as(&server.router, &link, &viewer).await;
            visited += 1;
            assert!(visited <= 3, "{link}");
        }
        assert_eq!(visited, 3, "{}", server.label);
        assert!(html.contains(">item 0</a>"), "{html}");
        assert!(!html.contains(">item 50</a>"), "{html}");
        assert!(html.contains("href=\"/inbox?after="), "{html}");
    }
}
