pub mod log {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub at: DateTime,
        pub actor_id: Option<i32>,
        pub actor_name: String,
        pub action: String,
        pub object_type: Option<String>,
        pub object_id: Option<String>,
        pub org_path: Option<String>,
        pub ip: Option<String>,
        pub summary: String,
        pub prev_hash: String,
        pub hash: String,
        /// Id of the HMAC key that sealed the row; NULL for unkeyed rows of earlier releases.
        pub key_id: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod head {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_head")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub seq: i64,
        pub hash: String,
        /// HMAC of `seq` and `hash` under the key of the last row; NULL before keying.
        pub mac: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
