/* global TelnyxWebRTC */
// The browser side of softphone.e2e.test.ts: the real SDK as an agent softphone, and a plain
// RTCPeerConnection as the far end so ICE and DTLS connect on loopback.
(() => {
  const WAIT_MS = 15000;
  const state = { ready: false, user: '', errors: [], calls: {}, log: [] };
  const sdkCalls = {};
  let client = null;
  let far = null;
  const farHistory = [];

  const el = (id) => document.getElementById(id);
  const note = (text) => {
    state.log.push(`${new Date().toISOString().slice(11, 23)}  ${text}`);
    render();
  };

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
  }

  function render() {
    const status = el('status');
    status.textContent = state.ready ? 'Registered (telnyx.ready)' : 'Not registered';
    status.className = `badge ${state.ready ? 'ok' : 'off'}`;
    el('user').textContent = state.user;
    const body = el('calls');
    body.textContent = '';
    for (const c of Object.values(state.calls)) {
      const row = document.createElement('tr');
      cell(row, c.id.slice(0, 8));
      cell(row, c.direction);
      cell(row, c.state, `state-${c.state}`);
      cell(row, c.direction === 'inbound' ? `${c.remoteCallerName || ''} ${c.remoteCallerNumber || ''}` : c.destinationNumber || '');
      cell(row, (c.customHeaders || []).map((h) => `${h.name}: ${h.value}`).join(', '));
      cell(row, c.telnyxCallControlId || '');
      body.appendChild(row);
    }
    el('far').textContent = far ? `ICE ${far.iceConnectionState}, connection ${far.connectionState} (${farHistory.join(' → ')})` : 'none';
    el('log').textContent = state.log.slice(-16).join('\n');
  }

  function track(call) {
    sdkCalls[call.id] = call;
    const ids = call.telnyxIDs || {};
    const previous = state.calls[call.id];
    state.calls[call.id] = {
      id: call.id,
      state: call.state,
      direction: call.direction,
      remoteCallerNumber: call.options.remoteCallerNumber || null,
      remoteCallerName: call.options.remoteCallerName || null,
      destinationNumber: call.options.destinationNumber || null,
      customHeaders: call.options.customHeaders || [],
      clientState: call.options.clientState || null,
      telnyxCallControlId: ids.telnyxCallControlId || null,
      cause: call.cause || null,
      causeCode: call.causeCode === undefined ? null : call.causeCode,
    };
    if (!previous || previous.state !== call.state) note(`call ${call.id.slice(0, 8)} ${call.direction || ''} → ${call.state}`);
    else render();
  }

  function waitFor(fn, what) {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        let value;
        try {
          value = fn();
        } catch (err) {
          reject(err);
          return;
        }
        if (value) resolve(value);
        else if (Date.now() - started > WAIT_MS) reject(new Error(`timed out waiting for ${what}; calls: ${JSON.stringify(Object.values(state.calls))}; errors: ${state.errors.join(' | ')}`));
        else setTimeout(tick, 25);
      };
      tick();
    });
  }

  const call = (id) => {
    const c = sdkCalls[id];
    if (!c) throw new Error(`no call ${id}`);
    return c;
  };

  async function gathered(pc) {
    if (pc.iceGatheringState === 'complete') return;
    await new Promise((resolve) => {
      const done = () => {
        if (pc.iceGatheringState !== 'complete') return;
        pc.removeEventListener('icegatheringstatechange', done);
        resolve();
      };
      pc.addEventListener('icegatheringstatechange', done);
    });
  }

  async function newFarEnd() {
    if (far) far.close();
    farHistory.length = 0;
    const pc = new RTCPeerConnection({ iceServers: [] });
    far = pc;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    pc.addEventListener('iceconnectionstatechange', () => {
      farHistory.push(pc.iceConnectionState);
      render();
    });
    pc.addEventListener('connectionstatechange', render);
    return pc;
  }

  window.harness = {
    async login(options) {
      client = new TelnyxWebRTC.TelnyxRTC(options);
      client.remoteElement = 'remote';
      client.on('telnyx.ready', () => {
        state.ready = true;
        note('telnyx.ready');
      });
      client.on('telnyx.error', (e) => {
        const message = (e && e.error && e.error.message) || (e && e.message) || String(e);
        state.errors.push(message);
        note(`telnyx.error ${message}`);
      });
      client.on('telnyx.notification', (n) => {
        if (n.type === 'callUpdate') track(n.call);
      });
      const claims = JSON.parse(atob(options.login_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      state.user = claims.sip_username;
      await client.connect();
      await waitFor(() => state.ready, 'telnyx.ready');
    },
    async waitCall(match) {
      return waitFor(
        () =>
          Object.values(state.calls).find(
            (c) =>
              (!match.id || c.id === match.id) &&
              (!match.state || c.state === match.state) &&
              (!match.direction || c.direction === match.direction) &&
              (!match.telnyxCallControlId || c.telnyxCallControlId === match.telnyxCallControlId),
          ),
        `a call like ${JSON.stringify(match)}`,
      );
    },
    async answer(id) {
      await call(id).answer();
    },
    async hangup(id) {
      await call(id).hangup();
    },
    async hold(id) {
      await call(id).hold();
    },
    async unhold(id) {
      await call(id).unhold();
    },
    async dtmf(id, digits) {
      for (const d of digits) call(id).dtmf(d);
      note(`dtmf ${digits}`);
    },
    async newCall(destinationNumber, customHeaders) {
      const c = client.newCall({ destinationNumber, customHeaders, audio: true, video: false });
      track(c);
      return c.id;
    },
    async farOffer() {
      const pc = await newFarEnd();
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      note('far end offered');
      return pc.localDescription.sdp;
    },
    async farAnswered(sdp) {
      await far.setRemoteDescription({ type: 'answer', sdp });
      note('far end has the SDK answer');
    },
    async farAnswerFor(offer) {
      const pc = await newFarEnd();
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      note('far end answered the SDK offer');
      return pc.localDescription.sdp;
    },
    async waitFarConnected() {
      await waitFor(() => far && ['connected', 'completed'].includes(far.iceConnectionState) && far.connectionState === 'connected', 'far end ICE and DTLS');
      return { ice: far.iceConnectionState, connection: far.connectionState, iceHistory: farHistory.slice() };
    },
    /** Audio packets the far end has received from the SDK, once there are some. */
    async waitFarAudio() {
      const started = Date.now();
      for (;;) {
        let packets = 0;
        (await far.getStats()).forEach((r) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio') packets += r.packetsReceived || 0;
        });
        if (packets > 0) {
          note(`far end received ${packets} audio packets`);
          return packets;
        }
        if (Date.now() - started > WAIT_MS) throw new Error('no audio reached the far end');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    errors() {
      return state.errors.slice();
    },
    async disconnect() {
      if (far) far.close();
      if (client) await client.disconnect();
      state.ready = false;
      render();
    },
  };
  render();
})();
