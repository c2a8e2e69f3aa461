"""The conversation service with in-memory ports: effects performed, results fed back, errors explained."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sandbox.samples import CONVERSATION, CONVERSATION_WITH_MISTAKES, sample_bytes
from tests.fakes.approvals import MemoryApprovals
from tests.fakes.clock import FakeClock
from tests.fakes.conversations import MemoryConversationStore
from tests.fakes.governance import StaticGroups, gatekeeper
from tests.fakes.graders import FakeGraders, FakeRoles
from tests.fakes.home import RecordingHome
from tests.fakes.invocation_logging import FakeInvocationLogging
from tests.fakes.jobs import FakeJobs
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.records import MemoryRecords
from tests.fakes.slack_files import FakeSlackFiles
from tests.fakes.storage import MemoryStorage
from workflows.catalogue.loader import load_catalogue
from workflows.dataset_rules import CustomizationType
from workflows.datasets.checking import DatasetChecker
from workflows.exceptions import AccessProblem, MessageGone, StorageUnavailable
from workflows.governance.approval_desk import ApprovalDesk
from workflows.governance.approvals import ApprovalKind
from workflows.governance.gatekeeper import Gatekeeper
from workflows.jobs.launch import JobLauncher, job_request
from workflows.ports import LoggingSetup
from workflows.setup.events import (
    FileAttached,
    LoggingRecheckPressed,
    LogsChosen,
    ModelChosen,
    SlackFile,
    StartPressed,
    TeacherChosen,
    TextTyped,
    TypeChosen,
    ValidationSkipped,
)
from workflows.setup.machine import LAUNCH_SECONDS
from workflows.setup.model import Conversation, Stage
from workflows.setup.service import REMEMBERED_DELIVERIES, ConversationService, Where

WHERE = Where("T1", "C1", "U1")
NOVA = "amazon.nova-micro-v1:0:128k"
ROLE = "arn:aws:iam::123456789012:role/bedrock"


class World:
    """A service wired to fakes, and the fakes to look at."""

    def __init__(
        self, *, role_arn: str | None = ROLE, keeper: Gatekeeper | None = None, groups: StaticGroups | None = None
    ) -> None:
        self.store = MemoryConversationStore()
        self.notifier = RecordingNotifier()
        self.files = FakeSlackFiles()
        self.storage = MemoryStorage()
        self.graders = FakeGraders()
        self.invocation_logging = FakeInvocationLogging()
        self.roles = FakeRoles()
        self.jobs = FakeJobs()
        self.records = MemoryRecords()
        self.locks = MemoryLocks()
        self.home = RecordingHome()
        self.storage_answers = True
        self.catalogue = catalogue = load_catalogue()
        self.clock = clock = FakeClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
        checker = DatasetChecker(
            files=self.files,
            storage=self.storage,
            catalogue=catalogue,
            max_upload_bytes=10**7,
            dataset_buckets=frozenset({"bucket"}),
        )
        launcher = JobLauncher(
            jobs=self.jobs,
            records=self.records,
            notifier=self.notifier,
            locks=self.locks,
            catalogue=catalogue,
            clock=clock,
            role_arn=role_arn,
            bucket="bucket",
        )
        self.keeper = keeper or gatekeeper()
        self.approval_store = MemoryApprovals()
        self.approvals = ApprovalDesk(
            store=self.approval_store,
            posts=self.notifier,
            threads=self.notifier,
            groups=groups or StaticGroups(),
            gatekeeper=self.keeper,
            locks=self.locks,
            clock=clock,
        )
        self.service = ConversationService(
            store=self.store,
            notifier=self.notifier,
            posts=self.notifier,
            locks=self.locks,
            datasets=checker,
            launcher=launcher,
            graders=self.graders,
            roles=self.roles,
            role_arn=role_arn,
            invocation_logging=self.invocation_logging,
            catalogue=catalogue,
            clock=clock,
            region="us-east-1",
            max_upload_bytes=10**7,
            storage_up=lambda: self.storage_answers,
            gatekeeper=self.keeper,
            home=self.home,
            approvals=self.approvals,
        )
        self.approvals.serve(ApprovalKind.JOB, self.service)

    def start(self) -> str:
        return self.service.start(WHERE).id

    def conversation(self, conversation_id: str) -> Conversation:
        found = self.store.load(conversation_id)
        assert found is not None
        return found

    def attach(self, conversation_id: str, content: bytes, name: str = "train.jsonl") -> None:
        url = f"http://files/{name}"
        self.files.contents[url] = content
        file = SlackFile("F1", name, len(content), "jsonl", "application/json", url)
        self.service.handle(conversation_id, FileAttached("U1", file), where=WHERE)

    def to_review(self) -> str:
        conversation_id = self.start()
        self.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
        self.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
        self.attach(conversation_id, sample_bytes(CONVERSATION))
        self.service.handle(conversation_id, ValidationSkipped("U1"), where=WHERE)
        assert self.conversation(conversation_id).stage is Stage.REVIEWING
        return conversation_id

    def to_logs_review(self) -> str:
        """A distillation reading invocation logs, at its review (logging on)."""
        self.invocation_logging.answer = LoggingSetup(s3_bucket="app-logs", text_delivery=True)
        conversation_id = self.start()
        for event in (
            TypeChosen("U1", CustomizationType.DISTILLATION),
            ModelChosen("U1", NOVA),
            TeacherChosen("U1", "amazon.nova-pro-v1:0"),
            LogsChosen("U1"),
            TextTyped("U1", "s3://app-logs/"),
        ):
            self.service.handle(conversation_id, event, where=WHERE)
        assert self.conversation(conversation_id).stage is Stage.REVIEWING
        return conversation_id


def test_start_posts_the_root_message_and_asks_for_the_type_in_its_thread() -> None:
    world = World()
    conversation_id = world.start()
    root, question = world.notifier.posts
    assert root.thread_ts is None
    assert "is setting up a fine-tuning job" in root.message.text
    assert question.thread_ts == root.ts
    assert world.conversation(conversation_id).thread_ts == root.ts


def test_each_step_that_moves_a_setup_asks_for_its_owner_s_home_tab_and_a_hint_does_not() -> None:
    world = World()
    conversation_id = world.start()
    world.service.handle(conversation_id, TextTyped("U1", "what is this?"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.CHOOSING_TYPE
    assert world.home.changes == [("T1", "U1")]

    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)

    assert world.home.changes == [("T1", "U1")] * 3


def test_an_accepted_upload_is_kept_in_the_bucket_byte_for_byte() -> None:
    world = World()
    conversation_id = world.to_review()
    training = world.conversation(conversation_id).training
    assert training is not None
    assert training.uri == "s3://bucket/finetune-bot/datasets/T1/C1/1800000000.000001/training.jsonl"
    assert world.storage.objects[training.uri] == sample_bytes(CONVERSATION)
    assert training.records == 10
    assert training.system_prompt == "You are Acme's support assistant. Be brief, friendly and precise."


def test_start_creates_the_job_with_the_request_derived_from_the_conversation() -> None:
    world = World()
    conversation_id = world.to_review()
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    (request,) = world.jobs.requests
    assert request.base_model_id == NOVA
    assert request.role_arn == ROLE
    assert request.hyperparameters == {"epochCount": "2", "learningRate": "0.00001", "learningRateWarmupSteps": "10"}
    assert request.tags["finetune-bot:conversation"] == conversation_id
    assert world.conversation(conversation_id).stage is Stage.STARTED
    record = world.records.get(request.job_name)
    assert record is not None
    assert record.status_message_ts == world.notifier.posts[-1].ts
    assert record.system_prompt == "You are Acme's support assistant. Be brief, friendly and precise."


def test_errors_are_reported_with_their_lines_and_nothing_is_kept() -> None:
    world = World()
    conversation_id = world.start()
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
    world.attach(conversation_id, sample_bytes(CONVERSATION_WITH_MISTAKES))
    assert world.conversation(conversation_id).stage is Stage.AWAITING_TRAINING
    text = world.notifier.everything()
    assert "Line 3" in text
    assert "Line 7" in text
    assert world.storage.objects == {}
    assert world.notifier.attachments == []


def test_many_errors_come_with_the_full_report_attached() -> None:
    world = World()
    conversation_id = world.start()
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
    world.attach(conversation_id, b"not json\n" * 30)
    (report,) = world.notifier.attachments
    assert report.filename == "train-validation-report.txt"
    assert b"Line 30:" in report.content
    assert "more; the full report is attached" in world.notifier.everything()


def test_a_missing_s3_object_is_refused_with_what_to_do() -> None:
    world = World()
    conversation_id = world.start()
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
    world.service.handle(conversation_id, TextTyped("U1", "s3://bucket/missing.jsonl"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.AWAITING_TRAINING
    assert "There is no object at s3://bucket/missing.jsonl" in world.notifier.everything()


def test_an_s3_uri_outside_the_dataset_buckets_is_refused_before_anything_is_read() -> None:
    world = World()
    world.storage.objects["s3://elsewhere/secret.jsonl"] = b'{"prompt": "SECRET-LINE", "completion": "x"}\n'
    conversation_id = world.start()
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
    world.service.handle(conversation_id, TextTyped("U1", "s3://elsewhere/secret.jsonl"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.AWAITING_TRAINING
    said = world.notifier.everything()
    assert "FINETUNE_DATASET_BUCKETS" in said
    assert "SECRET-LINE" not in said


def test_without_a_service_role_the_job_is_not_started_and_the_setting_is_named() -> None:
    world = World(role_arn=None)
    conversation_id = world.to_review()
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.jobs.requests == []
    assert world.conversation(conversation_id).stage is Stage.REVIEWING
    assert "FINETUNE_ROLE_ARN is not configured" in world.notifier.everything()


def test_a_bedrock_refusal_is_explained_and_start_can_be_pressed_again() -> None:
    world = World()
    conversation_id = world.to_review()
    world.jobs.refuse_with = AccessProblem("The service role cannot be passed; check iam:PassRole.")
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert "check iam:PassRole" in world.notifier.everything()
    world.jobs.refuse_with = None
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.STARTED


def test_a_start_while_another_replica_launches_creates_nothing() -> None:
    world = World()
    conversation_id = world.to_review()
    world.locks.acquire(f"launch:{conversation_id}", ttl_seconds=60)
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.jobs.requests == []
    assert world.conversation(conversation_id).stage is Stage.STARTING


def test_a_lost_launch_is_not_recorded_while_another_replica_holds_its_launch_lock() -> None:
    """The status tick adopts a job with the bot's tags under the launch lock; the setup's own recovery must
    wait for it, or both record the job and the thread gets two status messages, one never updated."""
    world = World()
    conversation_id = world.to_review()
    other = world.locks.acquire(f"launch:{conversation_id}", ttl_seconds=60)
    assert other is not None
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    starting = world.conversation(conversation_id)
    world.jobs.create(job_request(starting, world.catalogue.model(NOVA), role_arn=ROLE, bucket="bucket"))
    world.clock.advance(seconds=LAUNCH_SECONDS + 1)

    world.service.sweep()

    assert world.records.watched() == []
    assert "Started fine-tuning job" not in world.notifier.everything()
    assert world.conversation(conversation_id).stage is Stage.STARTING

    world.locks.release(f"launch:{conversation_id}", other)
    world.clock.advance(seconds=LAUNCH_SECONDS + 1)
    world.service.sweep()

    assert len(world.records.watched()) == 1
    assert world.notifier.everything().count("Started fine-tuning job") == 1
    assert world.conversation(conversation_id).stage is Stage.STARTED


def test_replies_in_threads_that_are_not_conversations_are_ignored() -> None:
    world = World()
    world.service.handle_reply("T1:C1:999.0", TextTyped("U1", "hello"), where=WHERE)
    assert world.notifier.posts == []
    assert world.notifier.whispers == []


def test_a_concurrent_save_is_retried_on_the_fresh_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    conversation_id = world.start()
    original_save = world.store.save
    raced = {"done": False}

    def racing_save(conversation: Conversation) -> Conversation:
        if not raced["done"]:
            raced["done"] = True
            current = world.conversation(conversation_id)
            original_save(current.model_copy(update={"name": "changed-elsewhere"}))
        return original_save(conversation)

    monkeypatch.setattr(world.store, "save", racing_save)
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    final = world.conversation(conversation_id)
    assert final.stage is Stage.CHOOSING_MODEL
    assert final.name == "changed-elsewhere"


def said(world: World) -> int:
    return len(world.notifier.posts) + len(world.notifier.whispers) + len(world.notifier.everything())


def test_a_delivery_already_applied_is_ignored_when_slack_retries_it() -> None:
    world = World()
    conversation_id = world.start()
    before = said(world)
    world.service.handle_reply(conversation_id, TextTyped("U1", "hello"), where=WHERE, delivery="Ev1")
    answered = said(world)
    saved = world.conversation(conversation_id)
    assert answered > before
    assert saved.deliveries == ("Ev1",)

    world.service.handle_reply(conversation_id, TextTyped("U1", "hello"), where=WHERE, delivery="Ev1")

    assert said(world) == answered
    assert world.conversation(conversation_id).version == saved.version


def test_a_retry_racing_the_replica_that_applies_the_same_delivery_acts_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    conversation_id = world.start()
    original_save = world.store.save
    raced = {"done": False}

    def racing_save(conversation: Conversation) -> Conversation:
        if not raced["done"]:
            raced["done"] = True
            current = world.conversation(conversation_id)
            original_save(current.model_copy(update={"name": "applied-elsewhere", "deliveries": ("Ev1",)}))
        return original_save(conversation)

    monkeypatch.setattr(world.store, "save", racing_save)
    before = said(world)
    world.service.handle_reply(conversation_id, TextTyped("U1", "hello"), where=WHERE, delivery="Ev1")

    final = world.conversation(conversation_id)
    assert final.name == "applied-elsewhere"
    assert final.deliveries == ("Ev1",)
    assert said(world) == before


def test_a_conversation_remembers_only_its_newest_deliveries() -> None:
    world = World()
    conversation_id = world.start()
    for number in range(REMEMBERED_DELIVERIES + 3):
        world.service.handle_reply(conversation_id, TextTyped("U1", "hello"), where=WHERE, delivery=f"Ev{number}")

    deliveries = world.conversation(conversation_id).deliveries
    assert len(deliveries) == REMEMBERED_DELIVERIES
    assert deliveries[0] == "Ev3"
    assert deliveries[-1] == f"Ev{REMEMBERED_DELIVERIES + 2}"


def test_a_job_whose_status_message_cannot_be_posted_is_still_recorded_and_watched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    conversation_id = world.to_review()
    original_post = world.notifier.post

    def failing_for_status(**kwargs: object) -> str:
        message = kwargs["message"]
        if getattr(message, "text", "").startswith("Started fine-tuning job"):
            raise ConnectionError("Slack is unreachable")
        return original_post(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(world.notifier, "post", failing_for_status)
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    (request,) = world.jobs.requests
    record = world.records.get(request.job_name)
    assert record is not None
    assert record.status_message_ts is None
    assert [r.job_name for r in world.records.watched()] == [request.job_name]


def refuse_saves(conversation: Conversation) -> Conversation:
    raise ConnectionError("Redis went away between the probe and the save")


def test_start_posts_nothing_while_the_store_does_not_answer() -> None:
    world = World()
    world.storage_answers = False
    with pytest.raises(StorageUnavailable, match="can't reach my storage"):
        world.service.start(WHERE)
    assert world.notifier.posts == []
    assert world.store.saved == {}


def test_a_root_message_whose_conversation_cannot_be_saved_is_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    monkeypatch.setattr(world.store, "save", refuse_saves)
    with pytest.raises(ConnectionError):
        world.service.start(WHERE)
    assert world.notifier.deleted == ["1800000000.000001"]
    assert world.notifier.posts == []


def test_a_one_line_root_message_whose_conversation_cannot_be_saved_is_deleted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    monkeypatch.setattr(world.store, "save", refuse_saves)
    options = {"type": "conversation", "model": NOVA, "data": "s3://bucket/train.jsonl"}
    with pytest.raises(ConnectionError):
        world.service.start_one_line(WHERE, options)
    assert len(world.notifier.deleted) == 1
    assert world.notifier.posts == []


def test_cancel_cancels_every_setup_of_the_person_even_when_a_thread_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    mine = [world.start(), world.start(), world.start()]
    theirs = world.service.start(Where("T1", "C1", "U2")).id
    gone_thread = world.conversation(mine[0]).thread_ts
    original_post = world.notifier.post

    def post(*, channel: str, message: object, thread_ts: str | None = None) -> str:
        if thread_ts == gone_thread:
            raise MessageGone("Slack answered thread_not_found")
        return original_post(channel=channel, message=message, thread_ts=thread_ts)  # type: ignore[arg-type]

    monkeypatch.setattr(world.notifier, "post", post)
    outcome = world.service.cancel_in_channel(WHERE)
    assert (outcome.cancelled, outcome.starting, outcome.failed) == (3, 0, 0)
    assert all(world.conversation(cid).stage is Stage.CANCELLED for cid in mine)
    assert world.conversation(theirs).stage is Stage.CHOOSING_TYPE
    assert outcome.text().startswith("Cancelled your 3 setups in this channel.")


def test_cancel_goes_on_past_a_setup_it_cannot_cancel_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    first, second = world.start(), world.start()
    original_save = world.store.save

    def save(conversation: Conversation) -> Conversation:
        if conversation.id == first:
            raise ConnectionError("this one could not be written")
        return original_save(conversation)

    monkeypatch.setattr(world.store, "save", save)
    outcome = world.service.cancel_in_channel(WHERE)
    assert (outcome.cancelled, outcome.failed) == (1, 1)
    assert world.conversation(second).stage is Stage.CANCELLED
    assert "I could not cancel 1 setup" in outcome.text()


def test_cancel_leaves_a_setup_that_is_creating_its_job_and_says_so() -> None:
    world = World()
    starting = world.to_review()
    world.locks.acquire(f"launch:{starting}", ttl_seconds=60)
    world.service.handle(starting, StartPressed("U1"), where=WHERE)
    outcome = world.service.cancel_in_channel(WHERE)
    assert (outcome.cancelled, outcome.starting) == (0, 1)
    assert world.conversation(starting).stage is Stage.STARTING


def test_cancel_with_nothing_to_cancel_says_so() -> None:
    world = World()
    world.service.start(Where("T1", "C1", "U2"))
    assert world.service.cancel_in_channel(WHERE).text() == "You have no setup in progress in this channel."


def test_an_s3_dataset_not_named_jsonl_is_accepted_with_a_warning_naming_it() -> None:
    world = World()
    conversation_id = world.start()
    world.storage.objects["s3://bucket/data/train.json"] = sample_bytes(CONVERSATION)
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
    world.service.handle(conversation_id, TextTyped("U1", "s3://bucket/data/train.json"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.AWAITING_VALIDATION
    said = world.notifier.everything()
    assert "`file-name-not-jsonl` (warning)" in said
    assert "train.json does not end in .jsonl" in said


def test_an_upload_is_stored_as_jsonl_so_its_own_name_draws_no_warning() -> None:
    world = World()
    conversation_id = world.start()
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
    world.attach(conversation_id, sample_bytes(CONVERSATION), name="train.json")
    assert "file-name-not-jsonl" not in world.notifier.everything()


def test_distillation_from_logs_asks_bedrock_about_logging_and_starts_one_job_with_the_logs() -> None:
    world = World()
    conversation_id = world.start()
    for event in (
        TypeChosen("U1", CustomizationType.DISTILLATION),
        ModelChosen("U1", NOVA),
        TeacherChosen("U1", "amazon.nova-pro-v1:0"),
        LogsChosen("U1"),
        TextTyped("U1", "s3://app-logs/ filters=project=support"),
    ):
        world.service.handle(conversation_id, event, where=WHERE)
    assert world.invocation_logging.asked == 1
    assert world.conversation(conversation_id).stage is Stage.AWAITING_LOGS
    assert "does not deliver to S3 in us-east-1" in world.notifier.posts[-1].message.details[0]

    world.invocation_logging.answer = LoggingSetup(s3_bucket="app-logs", text_delivery=True)
    world.service.handle(conversation_id, LoggingRecheckPressed("U1"), where=WHERE)
    assert world.invocation_logging.asked == 2
    assert world.conversation(conversation_id).stage is Stage.REVIEWING
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.invocation_logging.asked == 3  # Start asks once more; the second press finds the job started
    (request,) = world.jobs.requests
    assert request.training_uri is None
    assert request.invocation_logs == {
        "invocationLogSource": {"s3Uri": "s3://app-logs/"},
        "usePromptResponse": False,
        "requestMetadataFilters": {"equals": {"project": "support"}},
    }
    record = world.records.get(request.job_name)
    assert record is not None
    assert record.from_invocation_logs
    assert request.tags["finetune-bot:source"] == "invocation-logs"
    assert "finetune-bot:tokens" not in request.tags
    assert record.estimated_training_cost is None
    status = dict(world.notifier.posts[-1].message.facts)
    assert status["Training tokens"] == "unknown until the job reads the invocation logs"
    assert status["Estimated training cost"].startswith("unknown (the prompts come from invocation logs")


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (LoggingSetup(), "does not deliver to S3 in us-east-1"),
        (LoggingSetup(s3_bucket="other-logs", text_delivery=True), "not to `s3://app-logs/`"),
    ],
)
def test_logging_turned_off_or_moved_before_start_creates_no_job(setup: LoggingSetup, words: str) -> None:
    world = World()
    conversation_id = world.to_logs_review()
    world.invocation_logging.answer = setup
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.jobs.requests == []
    assert world.records.watched() == []
    assert world.conversation(conversation_id).stage is Stage.AWAITING_LOGS
    told = world.notifier.posts[-1].message
    assert told.text == "The job would find no invocation logs to distill from."
    assert words in told.details[0]
    assert "Check logging again" in [button.label for button in told.buttons]

    world.invocation_logging.answer = LoggingSetup(s3_bucket="app-logs", text_delivery=True)
    world.service.handle(conversation_id, LoggingRecheckPressed("U1"), where=WHERE)
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert len(world.jobs.requests) == 1


def test_logging_that_cannot_be_checked_at_start_still_starts_the_job() -> None:
    world = World()
    conversation_id = world.to_logs_review()
    denied = "the bot may not call bedrock:GetModelInvocationLoggingConfiguration"
    world.invocation_logging.answer = LoggingSetup(unknown=denied)
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert len(world.jobs.requests) == 1
    assert world.conversation(conversation_id).stage is Stage.STARTED
    assert "I could not check that model invocation logging is on" in world.notifier.everything()
