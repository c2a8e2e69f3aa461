"""The CloudFormation templates in infra/: what they grant, read from the files, and the forwarding chain run in moto.

moto's CloudFormation skips ``AWS::SQS::QueuePolicy`` and ``AWS::Events::EventBusPolicy`` (and its
EventBridge does not enforce either), so who may send to the queue and put on the bus is checked here
from the templates themselves; the rules, queues, redrive policy and forwarding role are deployed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from tests.support.moto_server import MotoServer
from tests.support.stack import REGION

INFRA = Path(__file__).resolve().parents[2] / "infra"
PATTERN = {"source": ["aws.bedrock"], "detail-type": ["Model Customization Job State Change"]}


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref``, ``!GetAtt``, ``!Sub``…) read as their long form."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def template(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load((INFRA / name).read_text(encoding="utf-8"), Loader=_CloudFormationLoader)
    return loaded


def resource(document: dict[str, Any], logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = document["Resources"][logical_id]
    return found


class TestTheBotAccountTemplate:
    def test_the_rule_takes_every_customization_job_state_change_to_the_queue(self) -> None:
        rule = resource(template("events.yaml"), "JobStateRule")
        assert rule["Type"] == "AWS::Events::Rule"
        assert rule["Properties"]["EventPattern"] == PATTERN
        (target,) = rule["Properties"]["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": ["EventsQueue", "Arn"]}

    def test_only_that_rule_may_send_to_the_queue(self) -> None:
        policy = resource(template("events.yaml"), "EventsQueuePolicy")["Properties"]
        assert policy["Queues"] == [{"Ref": "EventsQueue"}]
        (statement,) = policy["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Service": "events.amazonaws.com"}
        assert statement["Action"] == "sqs:SendMessage"
        assert statement["Resource"] == {"Fn::GetAtt": ["EventsQueue", "Arn"]}
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["JobStateRule", "Arn"]}}}

    def test_failed_messages_go_to_the_dead_letter_queue(self) -> None:
        queue = resource(template("events.yaml"), "EventsQueue")["Properties"]
        assert queue["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
            "maxReceiveCount": {"Ref": "MaxReceiveCount"},
        }
        assert queue["SqsManagedSseEnabled"] is True

    def test_other_accounts_may_put_only_bedrock_job_state_changes_on_the_bus(self) -> None:
        document = template("events.yaml")
        bus_policy = resource(document, "OtherAccountsMayForward")
        assert bus_policy["Condition"] == "OtherAccounts"
        statement = bus_policy["Properties"]["Statement"]
        assert statement["Principal"] == {"AWS": {"Ref": "SourceAccountIds"}}
        assert statement["Action"] == "events:PutEvents"
        assert statement["Condition"] == {
            "StringEquals": {
                "events:source": "aws.bedrock",
                "events:detail-type": "Model Customization Job State Change",
            }
        }


class TestTheForwarderTemplate:
    def test_it_forwards_the_same_events_to_the_bot_bus_with_a_role_that_may_only_put_there(self) -> None:
        document = template("events-forwarder.yaml")
        rule = resource(document, "ForwardJobStateChanges")["Properties"]
        assert rule["EventPattern"] == PATTERN
        assert rule["EventBusName"] == "default"
        (target,) = rule["Targets"]
        assert target["Arn"] == {"Ref": "BotEventBusArn"}
        assert target["RoleArn"] == {"Fn::GetAtt": ["ForwardingRole", "Arn"]}
        role = resource(document, "ForwardingRole")["Properties"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "events.amazonaws.com"}
        (policy,) = role["Policies"]
        (statement,) = policy["PolicyDocument"]["Statement"]
        assert (statement["Action"], statement["Resource"]) == ("events:PutEvents", {"Ref": "BotEventBusArn"})


@pytest.mark.integration
@pytest.mark.filterwarnings(r"ignore:Tried to parse AWS.+SQS.+QueuePolicy")
def test_an_event_forwarded_from_the_job_account_reaches_the_bot_queue(aws: MotoServer) -> None:
    """Both templates in moto (one account stands for both): default bus → forwarder → bot bus → rule → queue."""
    kwargs = {"region_name": REGION, "endpoint_url": aws.endpoint_url}
    events, cloudformation, sqs = (boto3.client(name, **kwargs) for name in ("events", "cloudformation", "sqs"))
    bus_arn = events.create_event_bus(Name="finetune-bot-jobs")["EventBusArn"]
    cloudformation.create_stack(
        StackName="bot",
        TemplateBody=(INFRA / "events.yaml").read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": "EventBusName", "ParameterValue": "finetune-bot-jobs"}],
    )
    cloudformation.create_stack(
        StackName="forwarder",
        TemplateBody=(INFRA / "events-forwarder.yaml").read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": "BotEventBusArn", "ParameterValue": bus_arn}],
        Capabilities=["CAPABILITY_IAM"],
    )
    stacks = {name: cloudformation.describe_stacks(StackName=name)["Stacks"][0] for name in ("bot", "forwarder")}
    assert {name: stack["StackStatus"] for name, stack in stacks.items()} == {
        "bot": "CREATE_COMPLETE",
        "forwarder": "CREATE_COMPLETE",
    }
    queue_url = next(o["OutputValue"] for o in stacks["bot"]["Outputs"] if o["OutputKey"] == "QueueUrl")
    detail = {"jobName": "forwarded", "jobStatus": "Completed", "lastModifiedTime": "2026-11-29T03:00:00Z"}

    events.put_events(
        Entries=[
            {
                "Source": "aws.bedrock",
                "DetailType": "Model Customization Job State Change",
                "Detail": json.dumps(detail),
            }
        ]
    )
    events.put_events(Entries=[{"Source": "aws.sagemaker", "DetailType": "Training Job State Change", "Detail": "{}"}])
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])

    assert [json.loads(message["Body"])["detail"] for message in received] == [detail]
