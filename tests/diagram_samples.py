"""Small diagrams as other tools write them, for the tests that open files in the modeler.

`goods_check` is a bpmn.io / Camunda Modeler style file (camunda namespace, a lane named after a
team that is no OrderGate department): after the owner picks a department for its lane it
validates and runs. `unreadable` holds what bpmn-js cannot read (a data object whose id is not
an XML name, an unknown element type, a reference to a message that is not defined).
"""

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn"
  exporter="Camunda Modeler" exporterVersion="5.17.0">"""


def goods_check(process_id: str = "Process_goods_check", lane: str = "Reviewers") -> str:
    """A one-lane process: start, a user task (form goods_received, due PT8H), end."""
    return (
        HEAD.format(pid=process_id)
        + f"""
  <bpmn:collaboration id="Collaboration_goods">
    <bpmn:participant id="Participant_goods" name="Goods check" processRef="{process_id}" />
  </bpmn:collaboration>
  <bpmn:process id="{process_id}" name="Goods check" isExecutable="true">
    <bpmn:laneSet id="LaneSet_goods">
      <bpmn:lane id="Lane_reviewers" name="{lane}">
        <bpmn:flowNodeRef>Start_goods</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_check</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End_goods</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_goods" name="Goods arrived">
      <bpmn:outgoing>Flow_to_check</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_check" name="Check the goods" camunda:candidateGroups="reviewers">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="form" value="goods_received" />
          <spiffworkflow:property name="due" value="PT8H" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_to_check</bpmn:incoming>
      <bpmn:outgoing>Flow_to_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End_goods" name="Checked">
      <bpmn:incoming>Flow_to_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_to_check" sourceRef="Start_goods" targetRef="Task_check" />
    <bpmn:sequenceFlow id="Flow_to_end" sourceRef="Task_check" targetRef="End_goods" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_goods">
    <bpmndi:BPMNPlane id="Plane_goods" bpmnElement="Collaboration_goods">
      <bpmndi:BPMNShape id="Participant_goods_di" bpmnElement="Participant_goods"
        isHorizontal="true">
        <dc:Bounds x="120" y="80" width="560" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_reviewers_di" bpmnElement="Lane_reviewers" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="530" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Start_goods_di" bpmnElement="Start_goods">
        <dc:Bounds x="212" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_check_di" bpmnElement="Task_check">
        <dc:Bounds x="330" y="140" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_goods_di" bpmnElement="End_goods">
        <dc:Bounds x="532" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_to_check_di" bpmnElement="Flow_to_check">
        <di:waypoint x="248" y="180" />
        <di:waypoint x="330" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_to_end_di" bpmnElement="Flow_to_end">
        <di:waypoint x="430" y="180" />
        <di:waypoint x="532" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    )


def unreadable(process_id: str = "Process_unreadable") -> str:
    """A diagram bpmn-js opens with warnings and would write back without three things."""
    return (
        HEAD.format(pid=process_id)
        + f"""
  <bpmn:process id="{process_id}" name="Ledger update" isExecutable="true">
    <bpmn:startEvent id="Start_ledger" name="Ledger changed">
      <bpmn:messageEventDefinition id="Start_ledger_message" messageRef="Message_undefined" />
    </bpmn:startEvent>
    <bpmn:dataObject id="1 ledger copy" />
    <bpmn:fancyTask id="Task_fancy" name="A vendor's own task" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_ledger">
    <bpmndi:BPMNPlane id="Plane_ledger" bpmnElement="{process_id}">
      <bpmndi:BPMNShape id="Start_ledger_di" bpmnElement="Start_ledger">
        <dc:Bounds x="212" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    )
