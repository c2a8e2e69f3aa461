"""The stable error codes of the dataset validator, each with its severity and what to do about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Severity(StrEnum):
    """How bad an issue is: errors make the dataset invalid, warnings do not."""

    #: Bedrock would reject the file or the job would fail; the dataset is invalid.
    ERROR = "error"
    #: Worth fixing (cost, quality, portability), but the job can run.
    WARNING = "warning"


class IssueCode(StrEnum):
    """Stable identifiers for every problem the validator reports; documented in the README."""

    # Lines and encoding.
    #: An empty or whitespace-only line.
    BLANK_LINE = "blank-line"
    #: A UTF-8 byte order mark at the start of a line.
    BOM = "bom"
    #: A line ending in CR LF.
    CRLF_LINE_ENDING = "crlf-line-ending"
    #: The whole file is UTF-16 or UTF-32 text, not UTF-8.
    WRONG_ENCODING = "wrong-encoding"
    #: Bytes that are not UTF-8.
    INVALID_UTF8 = "invalid-utf8"
    #: A NUL byte in the line.
    NUL_BYTE = "nul-byte"
    #: Not parseable as JSON.
    INVALID_JSON = "invalid-json"
    #: NaN, Infinity, or a number that overflows a double.
    JSON_NON_FINITE_NUMBER = "json-non-finite-number"
    #: An integer outside the 64-bit range (or too long to read).
    JSON_NUMBER_OUT_OF_RANGE = "json-number-out-of-range"
    #: A \\uD800-\\uDFFF escape without its pair.
    JSON_LONE_SURROGATE = "json-lone-surrogate"
    #: A line too long to be a record of any model.
    LINE_TOO_LONG = "line-too-long"
    #: A JSON value that is not an object.
    NOT_AN_OBJECT = "not-an-object"
    # Formats.
    #: No record in the file has the keys of a known format.
    UNKNOWN_FORMAT = "unknown-format"
    #: The record belongs to another customization type than the one being validated.
    WRONG_FORMAT = "wrong-format"
    #: The record's format differs from the rest of the file.
    MIXED_FORMATS = "mixed-formats"
    # Schema.
    #: A required key is missing.
    MISSING_KEY = "missing-key"
    #: A key the format does not define.
    UNKNOWN_KEY = "unknown-key"
    #: A value of the wrong JSON type.
    WRONG_TYPE = "wrong-type"
    #: An empty or whitespace-only string.
    EMPTY_TEXT = "empty-text"
    #: schemaVersion other than bedrock-conversation-2024, for a model that needs it exactly.
    WRONG_SCHEMA_VERSION = "wrong-schema-version"
    #: schemaVersion other than bedrock-conversation-2024, where that may be accepted (Nova, or no model).
    SCHEMA_VERSION = "schema-version"
    # Conversations.
    #: An empty messages list.
    NO_MESSAGES = "no-messages"
    #: A role other than user or assistant.
    INVALID_ROLE = "invalid-role"
    #: A system turn inside messages.
    SYSTEM_IN_MESSAGES = "system-in-messages"
    #: The first turn is not the user's.
    FIRST_NOT_USER = "first-not-user"
    #: The last turn is not the assistant's.
    LAST_NOT_ASSISTANT = "last-not-assistant"
    #: Two consecutive turns with the same role.
    ROLES_NOT_ALTERNATING = "roles-not-alternating"
    #: A content list with no blocks.
    EMPTY_CONTENT = "empty-content"
    #: More text blocks in the top-level system prompt than the model takes.
    TOO_MANY_SYSTEM_BLOCKS = "too-many-system-blocks"
    #: A content block that is not exactly one of text, image, video.
    INVALID_CONTENT_BLOCK = "invalid-content-block"
    # Prompts (distillation and reinforcement fine-tuning).
    #: More than one user turn, for a model that takes single-turn prompts only.
    MULTI_TURN_PROMPT = "multi-turn-prompt"
    #: A reinforcement prompt that does not end with the user's turn.
    LAST_NOT_USER = "last-not-user"
    #: A system turn after the conversation has started (reinforcement prompts).
    SYSTEM_NOT_FIRST = "system-not-first"
    #: A reinforcement prompt without a reference answer for the grader.
    NO_REFERENCE_ANSWER = "no-reference-answer"
    # Media.
    #: An image or video in an assistant turn.
    MEDIA_IN_ASSISTANT = "media-in-assistant"
    #: Media for a model that takes none of that kind.
    MEDIA_NOT_ALLOWED = "media-not-allowed"
    #: A media format the model does not accept.
    MEDIA_FORMAT = "media-format"
    #: More images or videos in a record than the model allows.
    TOO_MANY_MEDIA = "too-many-media"
    #: Images and videos in one record.
    MIXED_MEDIA_IN_RECORD = "mixed-media-in-record"
    #: Images in some records and videos in others.
    MIXED_MEDIA_IN_DATASET = "mixed-media-in-dataset"
    #: A media location that is not an s3://bucket/key URI.
    INVALID_S3_URI = "invalid-s3-uri"
    #: Media outside the dataset's bucket.
    MEDIA_BUCKET_MISMATCH = "media-bucket-mismatch"
    # Content.
    #: A word the model reserves for its prompt template.
    RESERVED_WORD = "reserved-word"
    #: More tokens than the per-record limit, even by a conservative count.
    TOO_MANY_TOKENS = "too-many-tokens"
    #: Possibly over the per-record limit once the template is added.
    NEAR_TOKEN_LIMIT = "near-token-limit"
    #: The same content as an earlier record.
    DUPLICATE_RECORD = "duplicate-record"
    #: A validation record that is also in the training file.
    TRAIN_VALIDATION_OVERLAP = "train-validation-overlap"
    # Whole file.
    #: The file name does not end in .jsonl.
    FILE_NAME_NOT_JSONL = "file-name-not-jsonl"
    #: No records at all.
    EMPTY_FILE = "empty-file"
    #: Fewer records than the model needs.
    TOO_FEW_RECORDS = "too-few-records"
    #: More records than the model allows in this file.
    TOO_MANY_RECORDS = "too-many-records"
    #: Training plus validation records over the model's bound.
    TOO_MANY_TOTAL_RECORDS = "too-many-total-records"
    #: A file larger than the model allows.
    FILE_TOO_LARGE = "file-too-large"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """The fixed part of an issue: how severe it is and what the person should do."""

    severity: Severity
    message: str


_E = Severity.ERROR
_W = Severity.WARNING

_TABLE: dict[IssueCode, CodeInfo] = {
    IssueCode.BLANK_LINE: CodeInfo(
        _E,
        "Blank line: Bedrock rejects JSONL files with empty lines. Delete it "
        "(one newline at the very end of the file is fine).",
    ),
    IssueCode.BOM: CodeInfo(
        _E,
        "The line starts with a UTF-8 byte order mark (BOM). Save the file as plain UTF-8 (not 'UTF-8 with BOM').",
    ),
    IssueCode.CRLF_LINE_ENDING: CodeInfo(
        _W,
        "Windows line ending (CR LF). Convert the file to LF line endings (for example with dos2unix) "
        "so every parser reads it the same way.",
    ),
    IssueCode.WRONG_ENCODING: CodeInfo(
        _E,
        "The file is UTF-16 or UTF-32 text; Bedrock reads UTF-8 only. Convert it to UTF-8, for example with "
        "iconv -f utf-16 -t utf-8 (or save it as 'UTF-8' in your editor).",
    ),
    IssueCode.NUL_BYTE: CodeInfo(
        _E,
        "A NUL byte (0x00) in the line: JSON text never holds one, so the line cannot be read. Remove it, "
        "or write it as \\u0000 inside a string; check that the file was not cut or joined with binary data.",
    ),
    IssueCode.INVALID_UTF8: CodeInfo(
        _E,
        "Bytes that are not UTF-8 (the detail gives the byte offset in the line). Re-encode the file "
        "as UTF-8, for example with iconv -f cp1252 -t utf-8, or remove the bad bytes.",
    ),
    IssueCode.INVALID_JSON: CodeInfo(
        _E,
        "Not valid JSON. Each line must hold one complete JSON object; fix the syntax at the "
        "position in the detail (a record split over several lines is a common cause).",
    ),
    IssueCode.JSON_NON_FINITE_NUMBER: CodeInfo(
        _E,
        "NaN, Infinity or a number too large for a double: JSON has no such numbers. "
        "Write a finite number, or put the value in a string.",
    ),
    IssueCode.JSON_NUMBER_OUT_OF_RANGE: CodeInfo(
        _E,
        "An integer outside the 64-bit range (or thousands of digits long), which JSON parsers reject or "
        "round. Put the value in a string, or shorten it.",
    ),
    IssueCode.JSON_LONE_SURROGATE: CodeInfo(
        _E,
        "A \\uD800-\\uDFFF escape without its pair (a lone surrogate) is not valid Unicode; it often "
        "comes from a cut emoji. Fix or remove the escape.",
    ),
    IssueCode.LINE_TOO_LONG: CodeInfo(
        _E,
        "The line is too long to be a record for any model. Split or shorten the record, "
        "and check that the file has one record per line.",
    ),
    IssueCode.NOT_AN_OBJECT: CodeInfo(
        _E,
        "Each line must be a JSON object ({...}). Put the value in an object with the keys the format needs.",
    ),
    IssueCode.UNKNOWN_FORMAT: CodeInfo(
        _E,
        "No record has the keys of a known format: prompt/completion (instruction fine-tuning), "
        "input (continued pre-training) or messages (conversation). Convert the records, or say "
        "which customization type you want.",
    ),
    IssueCode.WRONG_FORMAT: CodeInfo(
        _E,
        "The record is in a format for a different customization type (see the mismatch note). "
        "Convert it, or choose the customization type that matches your data.",
    ),
    IssueCode.MIXED_FORMATS: CodeInfo(
        _E,
        "The record's format differs from the rest of the file. Use one format per file: "
        "convert or remove this record.",
    ),
    IssueCode.MISSING_KEY: CodeInfo(_E, "A required key is missing. Add the key named in the detail."),
    IssueCode.UNKNOWN_KEY: CodeInfo(
        _W,
        "A key the format does not define. Bedrock may reject or ignore it: remove it unless you "
        "know the model accepts it.",
    ),
    IssueCode.WRONG_TYPE: CodeInfo(_E, "A value has the wrong JSON type. Use the type named in the detail."),
    IssueCode.EMPTY_TEXT: CodeInfo(_E, "Empty or whitespace-only text. Write the text, or remove the record."),
    IssueCode.WRONG_SCHEMA_VERSION: CodeInfo(
        _E,
        'schemaVersion is not "bedrock-conversation-2024", and this model needs exactly that value: set it '
        "on every record.",
    ),
    IssueCode.SCHEMA_VERSION: CodeInfo(
        _W,
        'schemaVersion is not "bedrock-conversation-2024". Nova accepts any string, but other models '
        "need exactly that value: set it.",
    ),
    IssueCode.NO_MESSAGES: CodeInfo(_E, "messages is empty. Add a user turn followed by an assistant turn."),
    IssueCode.INVALID_ROLE: CodeInfo(
        _E, 'A role other than "user" or "assistant". Use only those two roles in messages.'
    ),
    IssueCode.SYSTEM_IN_MESSAGES: CodeInfo(
        _E,
        'A turn with role "system" inside messages. Move the system prompt to the record\'s top-level "system" field.',
    ),
    IssueCode.FIRST_NOT_USER: CodeInfo(
        _E, "The conversation does not start with a user turn. Start it with the user's message."
    ),
    IssueCode.LAST_NOT_ASSISTANT: CodeInfo(
        _E,
        "The conversation does not end with an assistant turn. End each record with the answer the model should learn.",
    ),
    IssueCode.ROLES_NOT_ALTERNATING: CodeInfo(
        _E,
        "Two turns in a row have the same role. Alternate user and assistant turns "
        "(merge the consecutive turns, or add the missing one).",
    ),
    IssueCode.EMPTY_CONTENT: CodeInfo(_E, "content is an empty list. Give the turn at least one text block."),
    IssueCode.TOO_MANY_SYSTEM_BLOCKS: CodeInfo(
        _E,
        "The system prompt has more text blocks than the model takes. Join them into one block.",
    ),
    IssueCode.INVALID_CONTENT_BLOCK: CodeInfo(
        _E,
        'A content block must be an object with exactly one of "text", "image" or "video". '
        "Fix the block at the path in the detail.",
    ),
    IssueCode.MULTI_TURN_PROMPT: CodeInfo(
        _E,
        "The prompt has more than one user turn, and this model takes single-turn prompts only (one user "
        "turn, plus the assistant's answer where the format allows one). Keep only the last question, or split "
        "the record.",
    ),
    IssueCode.LAST_NOT_USER: CodeInfo(
        _E,
        "The prompt does not end with the user's turn. The model writes the answer during training, so "
        "end each record with the user's message and put the expected answer in reference_answer.",
    ),
    IssueCode.SYSTEM_NOT_FIRST: CodeInfo(
        _E,
        'A "system" turn after the conversation has started. Put system turns first in messages, before '
        "the user's turn.",
    ),
    IssueCode.NO_REFERENCE_ANSWER: CodeInfo(
        _E,
        "The record has no reference_answer (or it is null or empty). Add the expected answer or the "
        "criteria your grader scores against: Bedrock passes it to the grader Lambda.",
    ),
    IssueCode.MEDIA_IN_ASSISTANT: CodeInfo(
        _E, "Images and videos are allowed only in user turns. Move the media to the user's turn."
    ),
    IssueCode.MEDIA_NOT_ALLOWED: CodeInfo(
        _E,
        "This model takes no media of this kind. Remove it, or choose a model that accepts it.",
    ),
    IssueCode.MEDIA_FORMAT: CodeInfo(
        _E,
        "A media format the model does not accept. Convert the file to one of the formats in the "
        'detail and update "format".',
    ),
    IssueCode.TOO_MANY_MEDIA: CodeInfo(
        _E,
        "More images or videos in one record than the model allows. Drop media or split the record.",
    ),
    IssueCode.MIXED_MEDIA_IN_RECORD: CodeInfo(
        _E, "The record has both images and videos. Use one kind of media per record."
    ),
    IssueCode.MIXED_MEDIA_IN_DATASET: CodeInfo(
        _E,
        "The dataset has images in some records and videos in others. Keep one kind of media in the "
        "whole dataset (text with images, or text with videos).",
    ),
    IssueCode.INVALID_S3_URI: CodeInfo(
        _E,
        "Media must be referenced by an s3://bucket/key URI, with only the characters the model accepts in "
        "the key (Nova: letters, digits, _, -, . and /). Fix or rename as the detail says.",
    ),
    IssueCode.MEDIA_BUCKET_MISMATCH: CodeInfo(
        _E,
        "Media must be in the same S3 bucket as the dataset. Copy the media into the dataset's "
        "bucket and update the URIs.",
    ),
    IssueCode.RESERVED_WORD: CodeInfo(
        _E,
        "The text contains a word the model reserves for its prompt template, which makes the job "
        "fail. Reword or remove it (the detail says which word and where).",
    ),
    IssueCode.TOO_MANY_TOKENS: CodeInfo(
        _E,
        "The record has more tokens than the model's per-record limit, even by a conservative "
        "count. Shorten or split it.",
    ),
    IssueCode.NEAR_TOKEN_LIMIT: CodeInfo(
        _W,
        "The record may go over the per-record token limit (our count for this model is an "
        "estimate, or the prompt template pushes it over). Shorten it to be safe.",
    ),
    IssueCode.DUPLICATE_RECORD: CodeInfo(
        _W,
        "The same content as an earlier record. Remove duplicates: they over-weight those examples and add cost.",
    ),
    IssueCode.TRAIN_VALIDATION_OVERLAP: CodeInfo(
        _W,
        "This validation record is also in the training file, so validation loss will look better "
        "than it is. Remove it from one of the files.",
    ),
    IssueCode.FILE_NAME_NOT_JSONL: CodeInfo(
        _W,
        "The file name does not end in .jsonl; Bedrock expects a .jsonl file. Rename it before uploading it to S3.",
    ),
    IssueCode.EMPTY_FILE: CodeInfo(_E, "The file has no records. Check that you picked the right file."),
    IssueCode.TOO_FEW_RECORDS: CodeInfo(
        _E, "Fewer records than the model needs. Add records to reach the minimum in the detail."
    ),
    IssueCode.TOO_MANY_RECORDS: CodeInfo(
        _E,
        "More records than the model allows in this file. Remove records to get under the maximum "
        "in the detail, or split the data over several jobs.",
    ),
    IssueCode.TOO_MANY_TOTAL_RECORDS: CodeInfo(
        _E,
        "Training and validation records together exceed the model's limit. Remove records from either file.",
    ),
    IssueCode.FILE_TOO_LARGE: CodeInfo(_E, "The file is larger than the model allows. Remove or shorten records."),
}

#: Severity and guidance for every code; read-only.
CODES: Mapping[IssueCode, CodeInfo] = MappingProxyType(_TABLE)
