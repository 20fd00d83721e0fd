/** The SMPP 3.4 command_id and command_status values the session uses (§5.1.2.1, §5.1.3). */

export const COMMAND = {
  generic_nack: 0x80000000,
  deliver_sm: 0x00000005,
  unbind: 0x00000006,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
} as const;

/** A response's command_id is its request's with this bit set. */
export const RESPONSE_BIT = 0x80000000;

export const ESME_ROK = 0x00;
export const ESME_RINVCMDLEN = 0x02;
export const ESME_RINVCMDID = 0x03;
export const ESME_RINVBNDSTS = 0x04;
export const ESME_RX_T_APPN = 0x64;
