/** API key types (spec §1): 1 messages, 2 sender names, 3 verification API, 4 verification widget. */
export type KeyType = 1 | 2 | 3 | 4;

/** Who is calling: the key and its account. */
export interface Principal {
  keyId: string;
  keyType: KeyType;
  accountId: number;
  trafficCenterId: number;
}
