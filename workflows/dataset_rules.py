"""The contract between the model catalogue and the dataset validator: types, formats and rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CustomizationType(StrEnum):
    """What kind of customization a person asks for; the values are the CLI's TYPE names."""

    #: Labeled prompt/completion pairs; changes how the model answers.
    INSTRUCTION = "instruction"
    #: Unlabeled domain text; teaches vocabulary and facts.
    CONTINUED_PRETRAINING = "continued-pretraining"
    #: Single- or multi-turn messages (system, user, assistant); instruction tuning for chatbots.
    CONVERSATION = "conversation"
    #: A teacher model writes the responses to prompts; a smaller student learns from them.
    DISTILLATION = "distillation"
    #: Reinforcement fine-tuning: a grader Lambda scores the model's responses to prompts.
    REINFORCEMENT = "reinforcement"

    @property
    def bedrock_value(self) -> str:
        """The ``customizationType`` that CreateModelCustomizationJob expects."""
        return {
            CustomizationType.INSTRUCTION: "FINE_TUNING",
            CustomizationType.CONVERSATION: "FINE_TUNING",
            CustomizationType.CONTINUED_PRETRAINING: "CONTINUED_PRE_TRAINING",
            CustomizationType.DISTILLATION: "DISTILLATION",
            CustomizationType.REINFORCEMENT: "REINFORCEMENT_FINE_TUNING",
        }[self]


#: The types the conversation offers, as people read them.
TYPE_LABELS = {
    CustomizationType.INSTRUCTION: "Instruction fine-tuning",
    CustomizationType.CONTINUED_PRETRAINING: "Continued pre-training",
    CustomizationType.CONVERSATION: "Conversational fine-tuning",
    CustomizationType.DISTILLATION: "Distillation",
    CustomizationType.REINFORCEMENT: "Reinforcement fine-tuning",
}


class DatasetFormat(StrEnum):
    """The record layout a base model expects, one JSON object per line."""

    #: ``{"prompt": str, "completion": str}`` (Titan, Cohere, Llama 3.1).
    PROMPT_COMPLETION = "prompt-completion"
    #: ``{"input": str}`` (Titan continued pre-training).
    TEXT_INPUT = "text-input"
    #: ``bedrock-conversation-2024``: ``schemaVersion``, optional ``system`` blocks, ``messages``
    #: with content blocks (Nova, Llama 3.2/3.3).
    BEDROCK_CONVERSATION = "bedrock-conversation"
    #: Anthropic style: optional ``system`` string, ``messages`` with string content (Claude 3 Haiku).
    ANTHROPIC_MESSAGES = "anthropic-messages"
    #: Reinforcement fine-tuning prompts in the OpenAI chat-completions layout: ``messages`` (system,
    #: user, assistant; string content) ending with the user's turn, a ``reference_answer`` for the
    #: grader, and any other keys, which Bedrock passes to the grader.
    CHAT_PROMPTS = "chat-prompts"


@dataclass(frozen=True, slots=True)
class MediaRules:
    """What images and videos a conversation record may carry (user turns only)."""

    image_formats: frozenset[str] = frozenset()
    video_formats: frozenset[str] = frozenset()
    max_images_per_record: int = 0
    max_videos_per_record: int = 0
    #: Images and videos may not be mixed in one record, nor across the dataset.
    single_modality: bool = True
    #: Media must sit in the same S3 bucket as the dataset (Nova).
    same_bucket: bool = False
    #: Object keys of media may hold only letters, digits, ``_``, ``-``, ``.`` and ``/`` (Nova).
    plain_uri_keys: bool = False

    @property
    def allows_media(self) -> bool:
        return bool(self.image_formats or self.video_formats)


@dataclass(frozen=True, slots=True)
class DatasetRules:
    """Everything the validator needs to know about one model and customization type."""

    format: DatasetFormat
    #: Record-count bounds for the training file (None: no bound known).
    min_records: int | None = None
    max_records: int | None = None
    max_validation_records: int | None = None
    #: Bound on training + validation records together, where the model has one.
    max_total_records: int | None = None
    #: Per-record token limit (input + output), and whether our offline count is exact for this
    #: model family (cl100k equals Llama 3 on most text) or an estimate (Titan, Nova, Claude).
    max_tokens_per_record: int | None = None
    token_count_exact: bool = False
    #: The per-record bound is the model's context window, Bedrock documenting no training limit.
    token_limit_is_context: bool = False
    #: File-size limits in bytes.
    max_file_bytes: int | None = None
    max_validation_file_bytes: int | None = None
    #: Substrings that make a Bedrock job fail when they appear in the text.
    reserved_words: tuple[str, ...] = ()
    media: MediaRules = field(default_factory=MediaRules)
    #: ``schemaVersion`` must be exactly ``bedrock-conversation-2024`` (every model but Nova); when
    #: False another value is only a warning.
    exact_schema_version: bool = False
    #: Most text blocks in a conversation's top-level ``system`` (Llama: 1; None: no bound).
    max_system_blocks: int | None = None
    #: Prompts must be single-turn: one user turn (distillation into Llama or Anthropic students;
    #: reinforcement fine-tuning of Nova 2 Lite).
    single_turn: bool = False
    #: Reinforcement fine-tuning: ``maxPromptLength``, the most tokens a prompt may have (None: not set).
    max_prompt_tokens: int | None = None
    #: Human-readable name of the model these rules came from, for messages ("Nova Micro").
    model_name: str | None = None
