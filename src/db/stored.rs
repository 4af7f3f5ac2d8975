//! Typed values of text columns (see [`stored_text`]).

/// A value a table stores as text, typed: the stored text (also its JSON form, so no
/// migration and no change to the API), `ALL`, `as_str`, `parse` and a Chinese `label`. A
/// misspelt status no longer compiles, and an unknown stored value fails the read loudly.
macro_rules! stored_text {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt => $label:tt,)+ }) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum, serde::Serialize, utoipa::ToSchema,
        )]
        $(#[$meta])*
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $text)] #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the table and sent in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value whose stored text is exactly `text`.
            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text)
            }

            /// What the pages show.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use stored_text;
