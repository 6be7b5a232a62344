/**
 * Every GraphQL document the console sends, as plain strings: the console turns them into
 * documents, and test/console/operations.int.test.ts validates each against schema.graphql so that a
 * schema change the console does not follow fails the build.
 */

// ---------------------------------------------------------------- fragments

export const ME_FIELDS = /* GraphQL */ `
  fragment MeFields on Me {
    userId
    username
    displayName
    roles
    agentId
    deviceId
    sessionId
  }
`;

export const TELEPHONY_FIELDS = /* GraphQL */ `
  fragment TelephonyFields on TelephonyToken {
    loginToken
    sipUsername
    expiresAt
  }
`;

// ---------------------------------------------------------------- session and softphone

export const LOGIN = /* GraphQL */ `
  mutation Login($username: String!, $password: String!, $deviceId: String!) {
    login(username: $username, password: $password, deviceId: $deviceId) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
      me { ...MeFields }
      telephony { ...TelephonyFields }
      telephonyError
    }
  }
  ${ME_FIELDS}
  ${TELEPHONY_FIELDS}
`;

export const REFRESH_SESSION = /* GraphQL */ `
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
      me { ...MeFields }
    }
  }
  ${ME_FIELDS}
`;

export const LOGOUT = /* GraphQL */ `
  mutation Logout {
    logout
  }
`;

export const ME = /* GraphQL */ `
  query Me {
    me { ...MeFields }
  }
  ${ME_FIELDS}
`;

export const SESSION_EVENTS = /* GraphQL */ `
  subscription SessionEvents {
    sessionEvents {
      type
      endsThisSession
      sessionId
      occurredAt
    }
  }
`;

export const REFRESH_TELEPHONY_TOKEN = /* GraphQL */ `
  mutation RefreshTelephonyToken($deviceId: String) {
    refreshTelephonyToken(deviceId: $deviceId) { ...TelephonyFields }
  }
  ${TELEPHONY_FIELDS}
`;

export const REPORT_SOFTPHONE_REGISTRATION = /* GraphQL */ `
  mutation ReportSoftphoneRegistration($deviceId: String, $registered: Boolean!) {
    reportSoftphoneRegistration(deviceId: $deviceId, registered: $registered) {
      agentId
      deviceId
      registered
      sipUsername
    }
  }
`;

// ---------------------------------------------------------------- shared fragments of the live views

export const AGENT_FIELDS = /* GraphQL */ `
  fragment AgentFields on Agent {
    id
    name
    supervisor
    status
    breakReason
    statusSince
    state
    stateSince
    idleSince
    muted
    missedInARow
    callsHandled
    lastEventAt
    offer { offerId callId expiresAt }
    currentCall { callId direction since queueId via held heldSince holdSeconds }
    wrapUp { callId since until }
    device { sipUsername registered }
    today { callsHandled inboundCalls outboundCalls talkSeconds holdSeconds wrapUpSeconds offersMissed offersRejected }
  }
`;

export const WAITING_CALL_FIELDS = /* GraphQL */ `
  fragment WaitingCallFields on WaitingCall {
    callId
    entryId
    position
    kind
    state
    priority
    enqueuedAt
    waitedSeconds
    estimatedWaitSeconds
    reason
    callbackNumber
    targetAgentId
    waitingReason
    caller { number name }
    attributes { language department skills { skill minLevel } }
    offer { offerId agentIds expiresAt }
  }
`;

export const QUEUE_FIELDS = /* GraphQL */ `
  fragment QueueFields on Queue {
    id
    name
    strategy
    serviceLevelThresholdSeconds
    waiting
    ringing
    callbacks
    longestWaitSeconds
    oldestEnqueuedAt
    ahtSeconds
    asOf
    agents { serving loggedIn available ready ringing onCall wrapUp break offline }
    today { offered answered abandoned shortAbandoned serviceLevel asaSeconds ahtSeconds longestWaitSeconds }
    calls(first: 50) { ...WaitingCallFields }
  }
  ${WAITING_CALL_FIELDS}
`;

export const CALL_SUMMARY_FIELDS = /* GraphQL */ `
  fragment CallSummaryFields on Call {
    id
    direction
    status
    outcome
    startedAt
    answeredAt
    endedAt
    durationSeconds
    callerNumber
    caller { number name }
    queueId
    agentId
    recordings { recordingId kind status durationSeconds }
    voicemail { recordingId durationSeconds recordedAt }
  }
`;

export const LIVE_CALL_FIELDS = /* GraphQL */ `
  fragment LiveCallFields on Call {
    id
    direction
    status
    outcome
    startedAt
    answeredAt
    endedAt
    from
    to
    callerNumber
    caller { number name contact previousCalls }
    attributes { language department priority skills { skill minLevel } }
    ivr { language selections { menuId label digits byDefault at } }
    queueId
    agentId
    held
    recording
    transcribing
    transcript { at track text confidence }
    transfers { transferId mode status target { agentId queueId number } fromAgentId requestedAt reason }
    supervision { supervisorId mode startedAt endedAt }
    connections { agentId via connectedAt disconnectedAt heldSince }
    dispositions { agentId disposition notes at }
  }
`;

// ---------------------------------------------------------------- agent desk

export const DESK_FIELDS = /* GraphQL */ `
  fragment DeskFields on Desk {
    agentId
    agent { ...AgentFields }
    offer {
      offerId
      callId
      expiresAt
      queueId
      waitedSeconds
      caller { number name contact previousCalls }
      attributes { language department priority skills { skill minLevel } }
      ivr { language selections { menuId label digits byDefault at } }
      previousCalls(first: 5) { ...CallSummaryFields }
    }
    call { ...LiveCallFields }
    wrapUp { callId since until }
    wrapUpDeadline
    recentCalls(first: 10) { ...CallSummaryFields }
  }
  ${AGENT_FIELDS}
  ${CALL_SUMMARY_FIELDS}
  ${LIVE_CALL_FIELDS}
`;

export const MY_DESK = /* GraphQL */ `
  query MyDesk {
    myDesk { ...DeskFields }
  }
  ${DESK_FIELDS}
`;

export const MY_DESK_CHANGED = /* GraphQL */ `
  subscription MyDeskChanged {
    myDeskChanged { ...DeskFields }
  }
  ${DESK_FIELDS}
`;

export const QUEUES = /* GraphQL */ `
  query Queues {
    queues { ...QueueFields }
  }
  ${QUEUE_FIELDS}
`;

export const QUEUE_CHANGED = /* GraphQL */ `
  subscription QueueChanged($queueId: ID) {
    queueChanged(queueId: $queueId) { ...QueueFields }
  }
  ${QUEUE_FIELDS}
`;

export const SET_MY_STATUS = /* GraphQL */ `
  mutation SetMyStatus($status: AgentStatus!, $reason: String) {
    setMyStatus(status: $status, reason: $reason) {
      position
      agent { ...AgentFields }
    }
  }
  ${AGENT_FIELDS}
`;

const callAction = (name: string, signature: string, args: string): string => /* GraphQL */ `
  mutation ${name.charAt(0).toUpperCase()}${name.slice(1)}(${signature}) {
    ${name}(${args}) {
      position
      caughtUp
      call { ...LiveCallFields }
    }
  }
  ${LIVE_CALL_FIELDS}
`;

export const PICK_CALL = callAction('pickCall', '$callId: ID!', 'callId: $callId');
export const DECLINE_OFFER = /* GraphQL */ `
  mutation DeclineOffer($offerId: ID!) {
    declineOffer(offerId: $offerId) { position }
  }
`;
export const HOLD_CALL = callAction('holdCall', '$callId: ID!', 'callId: $callId');
export const UNHOLD_CALL = callAction('unholdCall', '$callId: ID!', 'callId: $callId');
export const HANGUP_CALL = callAction('hangupCall', '$callId: ID!', 'callId: $callId');
export const SEND_DTMF = callAction('sendDtmf', '$callId: ID!, $digits: String!', 'callId: $callId, digits: $digits');
export const SET_MUTED = callAction('setMuted', '$callId: ID!, $muted: Boolean!', 'callId: $callId, muted: $muted');
export const TRANSFER_CALL = callAction(
  'transferCall',
  '$callId: ID!, $mode: TransferMode!, $target: TransferTargetInput!',
  'callId: $callId, mode: $mode, target: $target',
);
export const COMPLETE_TRANSFER = callAction('completeTransfer', '$callId: ID!', 'callId: $callId');
export const CANCEL_TRANSFER = callAction('cancelTransfer', '$callId: ID!', 'callId: $callId');
export const PAUSE_RECORDING = callAction('pauseRecording', '$callId: ID!', 'callId: $callId');
export const RESUME_RECORDING = callAction('resumeRecording', '$callId: ID!', 'callId: $callId');
export const START_TRANSCRIPTION = callAction('startTranscription', '$callId: ID!', 'callId: $callId');
export const STOP_TRANSCRIPTION = callAction('stopTranscription', '$callId: ID!', 'callId: $callId');
export const COMPLETE_WRAP_UP = callAction(
  'completeWrapUp',
  '$callId: ID!, $disposition: String!, $notes: String',
  'callId: $callId, disposition: $disposition, notes: $notes',
);
export const REQUEST_CALLBACK = callAction('requestCallback', '$callId: ID!', 'callId: $callId');
export const ANNOUNCE = callAction('announce', '$callId: ID!, $text: String!, $target: AnnounceTarget!', 'callId: $callId, text: $text, target: $target');

export const CALL_BACK = /* GraphQL */ `
  mutation CallBack($number: String!, $fromCallId: ID) {
    callBack(number: $number, fromCallId: $fromCallId) {
      position
      number
      fromCallId
    }
  }
`;

// ---------------------------------------------------------------- supervisor

export const WALLBOARD_FIELDS = /* GraphQL */ `
  fragment WallboardFields on Wallboard {
    asOf
    queues { ...QueueFields }
    agents { ...AgentFields }
    totals { waiting ringing callbacks longestWaitSeconds agentsLoggedIn agentsAvailable agentsRinging agentsOnCall agentsWrapUp agentsBreak }
  }
  ${QUEUE_FIELDS}
  ${AGENT_FIELDS}
`;

export const WALLBOARD = /* GraphQL */ `
  query Wallboard {
    wallboard { ...WallboardFields }
  }
  ${WALLBOARD_FIELDS}
`;

export const WALLBOARD_CHANGED = /* GraphQL */ `
  subscription WallboardChanged {
    wallboardChanged { ...WallboardFields }
  }
  ${WALLBOARD_FIELDS}
`;

export const CALL_LIVE = /* GraphQL */ `
  query CallLive($id: ID!) {
    call(id: $id) { ...LiveCallFields }
  }
  ${LIVE_CALL_FIELDS}
`;

export const CALL_CHANGED = /* GraphQL */ `
  subscription CallChanged($callId: ID!) {
    callChanged(callId: $callId) { ...LiveCallFields }
  }
  ${LIVE_CALL_FIELDS}
`;

export const SUPERVISE_CALL = callAction('superviseCall', '$callId: ID!, $role: SupervisorRole!', 'callId: $callId, role: $role');
export const SWITCH_SUPERVISOR_ROLE = callAction('switchSupervisorRole', '$callId: ID!, $role: SupervisorRole!', 'callId: $callId, role: $role');
export const END_SUPERVISION = callAction('endSupervision', '$callId: ID!', 'callId: $callId');

export const SET_AGENT_STATUS = /* GraphQL */ `
  mutation SetAgentStatus($agentId: ID!, $status: AgentStatus!, $reason: String) {
    setAgentStatus(agentId: $agentId, status: $status, reason: $reason) {
      position
      agent { ...AgentFields }
    }
  }
  ${AGENT_FIELDS}
`;

export const LOGOUT_AGENT = /* GraphQL */ `
  mutation LogoutAgent($agentId: ID!, $reason: String) {
    logoutAgent(agentId: $agentId, reason: $reason) {
      position
      agent { ...AgentFields }
    }
  }
  ${AGENT_FIELDS}
`;

export const CALLBACKS = /* GraphQL */ `
  query Callbacks($queueId: ID) {
    callbacks(queueId: $queueId) {
      callId
      queueId
      position
      number
      caller { number name }
      enqueuedAt
      waitedSeconds
      estimatedWaitSeconds
      state
    }
  }
`;

export const VOICEMAILS = /* GraphQL */ `
  query Voicemails($first: Int!, $after: String, $queueId: String) {
    voicemails(first: $first, after: $after, queueId: $queueId) {
      nodes {
        callId
        callerName
        callerNumber
        durationSeconds
        playbackUrl
        playbackUrlExpiresAt
        queueId
        reason
        recordedAt
        recordingId
      }
      pageInfo { endCursor hasNextPage }
    }
  }
`;

export const RECORDING_URL = /* GraphQL */ `
  query RecordingUrl($callId: ID!, $recordingId: ID!) {
    recordingUrl(callId: $callId, recordingId: $recordingId) {
      url
      contentType
      expiresAt
    }
  }
`;

export const REPORT_FIGURES = /* GraphQL */ `
  fragment QueueFigureFields on QueueFigures {
    offered
    answered
    answeredWithinThreshold
    abandoned
    shortAbandoned
    serviceLevel
    asaSeconds
    ahtSeconds
    abandonRate
    longestWaitSeconds
    occupancy
    handled
  }
`;

export const REPORTS = /* GraphQL */ `
  query Reports($scope: ReportScope!, $id: String, $from: DateTimeISO!, $to: DateTimeISO!, $granularity: ReportGranularity!) {
    reports(scope: $scope, id: $id, from: $from, to: $to, granularity: $granularity) {
      scope
      id
      date
      start
      end
      granularity
      queue { ...QueueFigureFields }
      agent { offers accepted missed rejected handled inbound outbound talkSeconds holdSeconds wrapUpSeconds }
    }
  }
  ${REPORT_FIGURES}
`;

// ---------------------------------------------------------------- history and analysis

export const CALL_HISTORY = /* GraphQL */ `
  query CallHistory($filter: CallHistoryFilter, $first: Int!, $after: String) {
    callHistory(filter: $filter, first: $first, after: $after) {
      nodes { ...CallSummaryFields }
      pageInfo { endCursor hasNextPage }
    }
  }
  ${CALL_SUMMARY_FIELDS}
`;

export const CALL_DETAIL = /* GraphQL */ `
  query CallDetail($id: ID!) {
    call(id: $id) {
      ...LiveCallFields
      closingReason
      endOutcome
      hangupCause
      hangupSource
      durationSeconds
      answeredBy
      agentIds
      agentsOffered
      afterHours { hoursId reason voicemail }
      durations { ivrSeconds waitSeconds talkSeconds holdSeconds wrapUpSeconds }
      queues { entryId queueId kind reason fromQueueId priority enqueuedAt leftAt leftReason waitedSeconds }
      offers { offerId purpose strategy queueId at expiresAt agents { agentId outcome reason at } }
      recordings { recordingId kind status startedAt endedAt durationSeconds channels contentType error }
      voicemail { reason queueId recordingId durationSeconds startedAt recordedAt }
      legs { callControlId role agentId status initiatedAt answeredAt endedAt hangupCause hangupSource }
      timeline { position at type summary webhook { eventType linkedFrom } }
    }
    routingDecisions(callId: $id) {
      decisionId
      position
      at
      queueId
      strategy
      rank
      priority
      waitedSeconds
      chosen
      waitingReason
      considered
      eligible
      candidates { agentId eligible chosen reasons idleSince score }
      ineligibleReasons { reason count }
    }
  }
  ${LIVE_CALL_FIELDS}
`;

export const EVENT_HISTORY = /* GraphQL */ `
  query EventHistory($filter: EventHistoryFilter, $first: Int!, $after: String, $newestFirst: Boolean!) {
    eventHistory(filter: $filter, first: $first, after: $after, newestFirst: $newestFirst) {
      nodes { id position streamId revision type occurredAt recordedAt data metadata }
      pageInfo { endCursor hasNextPage }
    }
  }
`;

export const QUEUES_AS_OF = /* GraphQL */ `
  query QueuesAsOf($at: DateTimeISO, $position: String) {
    queuesAsOf(at: $at, position: $position) { ...QueueFields }
    agentsAsOf(at: $at, position: $position) { ...AgentFields }
  }
  ${QUEUE_FIELDS}
  ${AGENT_FIELDS}
`;
