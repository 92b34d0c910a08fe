import type { InjectedReply } from './response-to-integrated'

/** How an exchange with the app reports its outcome to the invocation (src/bridge.ts). */
export interface ExchangeHooks {
  /** The app's complete reply. */
  reply(reply: InjectedReply): void
  /**
   * The app failed the request. `answered`: the app or its framework sends its own error reply,
   * which follows through `reply()` and stands unless `onError` returns another.
   */
  failed(error: unknown, answered?: boolean): void
  /** The app failed after its reply was complete: a real server has sent that reply, so it stands. */
  failedAfterReply(error: unknown): void
  /** No usable reply: the app ended the connection, or the reply broke off (502). */
  broken(error: unknown): void
}
