/** The microphone and speaker chosen in this browser, kept across sessions (localStorage). */
export interface AudioChoice {
  micId: string | null;
  micLabel: string | null;
  speakerId: string | null;
  speakerLabel: string | null;
}

const KEY = 'callstream.audio';
const NONE: AudioChoice = { micId: null, micLabel: null, speakerId: null, speakerLabel: null };

export const loadAudioChoice = (): AudioChoice => {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return NONE;
    const parsed = JSON.parse(raw) as Partial<AudioChoice>;
    return {
      micId: typeof parsed.micId === 'string' ? parsed.micId : null,
      micLabel: typeof parsed.micLabel === 'string' ? parsed.micLabel : null,
      speakerId: typeof parsed.speakerId === 'string' ? parsed.speakerId : null,
      speakerLabel: typeof parsed.speakerLabel === 'string' ? parsed.speakerLabel : null,
    };
  } catch {
    return NONE;
  }
};

export const saveAudioChoice = (choice: AudioChoice): void => {
  try {
    localStorage.setItem(KEY, JSON.stringify(choice));
  } catch {
    // No storage: the choice lasts this page only.
  }
};

export interface AudioDevice {
  deviceId: string;
  label: string;
}

/**
 * Finds the stored device in a fresh list: by id, else by label (some browsers change ids between
 * visits, so the label is what survives).
 */
export const matchDevice = (devices: readonly AudioDevice[], id: string | null, label: string | null): AudioDevice | null =>
  devices.find((d) => id !== null && d.deviceId === id) ?? devices.find((d) => label !== null && d.label === label) ?? null;
