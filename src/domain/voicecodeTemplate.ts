/** The fixed VOICECODE text template (spec §6.1.2). */
export const VOICECODE_TEMPLATE_PATTERN =
  '^Код авторизации от (?<brand>(?! )[\\p{L}\\p{M}0-9 ._-]{1,50}(?<! )): (?<code>[0-9]{4,8}|[0-9](?: [0-9]){3,7}|[0-9](?<sep>[-._])[0-9](?:\\k<sep>[0-9]){2,6})\\.?$';

const templateRegex = new RegExp(VOICECODE_TEMPLATE_PATTERN, 'u');

export interface VoicecodeParts {
  brand: string;
  /** The code reduced to its digits: the way it is written does not change how it sounds. */
  digits: string;
}

export function parseVoicecodeText(text: string): VoicecodeParts | null {
  const match = templateRegex.exec(text);
  if (!match?.groups) return null;
  return { brand: match.groups.brand!, digits: match.groups.code!.replace(/[^0-9]/g, '') };
}
