//! `MsgBody` items: one type per element kind, serialized in the API's exact shape.

use serde::{Deserialize, Serialize};

/// A `MsgBody` item: `{"MsgType": ..., "MsgContent": {...}}`. Unknown keys beside
/// the two are refused too: serde ignores them in an adjacently tagged enum unless
/// told otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "MsgType", content = "MsgContent", deny_unknown_fields)]
#[allow(clippy::enum_variant_names)]
pub enum Element {
    /// Text, mentions included.
    TIMTextElem(TextElem),
    /// A built-in emoji.
    TIMFaceElem(FaceElem),
    /// A place on the map.
    TIMLocationElem(LocationElem),
    /// App-defined data.
    TIMCustomElem(CustomElem),
    /// A picture.
    TIMImageElem(ImageElem),
    /// A voice clip.
    TIMSoundElem(SoundElem),
    /// A file.
    TIMFileElem(FileElem),
    /// A video with its thumbnail.
    TIMVideoFileElem(VideoElem),
}

impl Element {
    /// The `MsgType` string.
    pub fn msg_type(&self) -> &'static str {
        match self {
            Element::TIMTextElem(_) => "TIMTextElem",
            Element::TIMFaceElem(_) => "TIMFaceElem",
            Element::TIMLocationElem(_) => "TIMLocationElem",
            Element::TIMCustomElem(_) => "TIMCustomElem",
            Element::TIMImageElem(_) => "TIMImageElem",
            Element::TIMSoundElem(_) => "TIMSoundElem",
            Element::TIMFileElem(_) => "TIMFileElem",
            Element::TIMVideoFileElem(_) => "TIMVideoFileElem",
        }
    }
}

/// `TIMTextElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextElem {
    /// The text, `@id` mentions as written.
    #[serde(rename = "Text")]
    pub text: String,
}

/// `TIMFaceElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceElem {
    /// The emoji's index.
    #[serde(rename = "Index")]
    pub index: u32,
    /// Extra data; `""` when not given.
    #[serde(rename = "Data", default)]
    pub data: String,
}

/// `TIMLocationElem` content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationElem {
    /// What the place is.
    #[serde(rename = "Desc")]
    pub desc: String,
    /// Degrees north.
    #[serde(rename = "Latitude")]
    pub latitude: Coordinate,
    /// Degrees east.
    #[serde(rename = "Longitude")]
    pub longitude: Coordinate,
}

/// A latitude or longitude, written as an integer when it is whole (`39` stays
/// `39`, as written, instead of becoming `39.0`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Coordinate(pub f64);

impl Serialize for Coordinate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() <= 180.0 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// `TIMCustomElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomElem {
    /// The app's payload.
    #[serde(rename = "Data")]
    pub data: String,
    /// Push text for this element.
    #[serde(rename = "Desc", default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// Extra data.
    #[serde(rename = "Ext", default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// Push sound.
    #[serde(rename = "Sound", default, skip_serializing_if = "Option::is_none")]
    pub sound: Option<String>,
}

/// `TIMImageElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageElem {
    /// A unique ID for the picture.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// 1 JPG, 2 GIF, 3 PNG, 4 BMP, 255 other.
    #[serde(
        rename = "ImageFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<u32>,
    /// The original (Type 1) and optional large (2) and thumbnail (3) sizes.
    #[serde(rename = "ImageInfoArray")]
    pub info: Vec<ImageInfo>,
}

/// One size of a picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageInfo {
    /// 1 original, 2 large, 3 thumbnail.
    #[serde(rename = "Type")]
    pub kind: u32,
    /// Bytes.
    #[serde(rename = "Size", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Pixels.
    #[serde(rename = "Width", default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    /// Pixels.
    #[serde(rename = "Height", default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Where to download it.
    #[serde(rename = "URL")]
    pub url: String,
}

/// `TIMSoundElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoundElem {
    /// Where to download it.
    #[serde(rename = "Url")]
    pub url: String,
    /// A unique ID.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// Bytes.
    #[serde(rename = "Size", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Length in seconds.
    #[serde(rename = "Second", default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
    /// 2: download from `Url`.
    #[serde(rename = "Download_Flag")]
    pub download_flag: u32,
}

/// `TIMFileElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileElem {
    /// Where to download it.
    #[serde(rename = "Url")]
    pub url: String,
    /// A unique ID.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// Bytes.
    #[serde(rename = "FileSize", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The name shown.
    #[serde(rename = "FileName", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 2: download from `Url`.
    #[serde(rename = "Download_Flag")]
    pub download_flag: u32,
}

/// `TIMVideoFileElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoElem {
    /// Where to download the video.
    #[serde(rename = "VideoUrl")]
    pub url: String,
    /// A unique ID for the video.
    #[serde(rename = "VideoUUID")]
    pub uuid: String,
    /// Bytes.
    #[serde(rename = "VideoSize", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Length in seconds.
    #[serde(
        rename = "VideoSecond",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub seconds: Option<u64>,
    /// `mp4` and the like.
    #[serde(
        rename = "VideoFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<String>,
    /// 2: download from `VideoUrl`.
    #[serde(rename = "VideoDownloadFlag")]
    pub download_flag: u32,
    /// Where to download the thumbnail.
    #[serde(rename = "ThumbUrl")]
    pub thumb_url: String,
    /// A unique ID for the thumbnail.
    #[serde(rename = "ThumbUUID")]
    pub thumb_uuid: String,
    /// Thumbnail bytes.
    #[serde(rename = "ThumbSize", default, skip_serializing_if = "Option::is_none")]
    pub thumb_size: Option<u64>,
    /// Thumbnail pixels.
    #[serde(rename = "ThumbWidth")]
    pub thumb_width: u64,
    /// Thumbnail pixels.
    #[serde(rename = "ThumbHeight")]
    pub thumb_height: u64,
    /// Thumbnail format.
    #[serde(
        rename = "ThumbFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub thumb_format: Option<String>,
    /// 2: download from `ThumbUrl`.
    #[serde(rename = "ThumbDownloadFlag")]
    pub thumb_download_flag: u32,
}
