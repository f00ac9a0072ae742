/**
 * Writes the demo prompts shipped in flows/prompts/: tone sequences in the only format Graph plays
 * (PCM WAV, 16 kHz, 16-bit, mono). Real deployments replace them with recorded audio in the same format.
 * Run: npx tsx devkit/media/generate-demo-prompts.ts
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { makeToneWav } from '../../src/media/wav.js';

const dir = fileURLToPath(new URL('../../flows/prompts/', import.meta.url));

const prompts: Record<string, Parameters<typeof makeToneWav>[0]> = {
  // A three-note chime standing in for "Thank you for calling Contoso support".
  'greeting.wav': { seconds: 3, frequencies: [523.25, 659.25, 783.99], segmentSeconds: 1, amplitude: 0.25 },
  // A slow arpeggio, looped while the caller waits.
  'hold-music.wav': { seconds: 8, frequencies: [392, 493.88, 587.33, 493.88], segmentSeconds: 0.5, amplitude: 0.15 },
  // Two short beeps standing in for the agent's whisper, "Support call. Press 1 to accept." (issue 21): short, as
  // the agent's confirm time (8 s by default) counts from the moment they answer.
  'agent-whisper.wav': { seconds: 1.5, frequencies: [880, 0, 880], segmentSeconds: 0.5, amplitude: 0.2 },
};

for (const [name, spec] of Object.entries(prompts)) {
  await writeFile(`${dir}${name}`, makeToneWav(spec));
  process.stdout.write(`wrote flows/prompts/${name}\n`);
}
