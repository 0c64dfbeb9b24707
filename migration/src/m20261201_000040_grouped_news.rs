//! Grouped news for webhooks: `items` holds, as a JSON array, what one grouped delivery tells
//! (each item's kind, label and first-seen hour), so its body carries them; null for news of one
//! thing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("webhook_deliveries"))
                    .add_column(ColumnDef::new(Alias::new("items")).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("webhook_deliveries"))
                    .drop_column(Alias::new("items"))
                    .to_owned(),
            )
            .await
    }
}
