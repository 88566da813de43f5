// What the tray app does differently when the Cloud Connector service hosts the connector and the
// app is only its window: "Set up…" as a viewer asks Windows for administrator rights (the app
// starts itself again elevated, src/main/service/elevate.ts), or says in words that admin/root is
// needed elsewhere; the one-time move of the app's own set-up into the service is offered, done
// and reported in words. Electron is reached only through the small Prompts interface and the
// Exec seam (the process that shows the User Account Control prompt), so tests drive both.
import type { Environment } from '../../shared/protocol/index.js';
import { moveOfferWords } from '../service/app-host.js';
import type { Exec } from '../service/attach-decision.js';
import type { Role } from '../service/control-keys.js';
import { relaunchElevated } from '../service/elevate.js';
import type { MoveResult } from '../service/move-to-service.js';

/** Arguments the elevated instance is started with: what it should do once it has taken over. */
export const ELEVATED_SETUP_ARG = '--elevated-setup';
export const ELEVATED_MOVE_ARG = '--elevated-move-into-service';

export const ADMIN_DECLINED =
  'Changing the set-up needs administrator rights, and Windows did not give them. Nothing was changed; ask someone who can sign in as an administrator.';

export const ADMIN_NEEDED_ELSEWHERE =
  'Cloud Connector runs as a service on this computer, so changing its set-up needs administrator (root) rights. ' +
  'Start Cloud Connector as an administrator (for example with sudo), or use `cloud-connector service` on the command line.';

export const MOVE_DECLINED =
  'Your set-up stays in this app for now, and the service was left as it is. Cloud Connector asks again when it next starts.';

export interface Prompts {
  /** A question with two answers; true for the first. */
  ask(message: string, yes: string, no: string): Promise<boolean>;
  /** Words for the person, with an OK button. */
  tell(message: string): Promise<void>;
}

export interface ServiceModeDeps {
  role: Role;
  platform: NodeJS.Platform;
  /** The app's own executable, started again elevated. */
  exe: string;
  /** Runs the PowerShell that shows the User Account Control prompt. */
  exec: Exec;
  prompts: Prompts;
  /** The elevated instance has started and will take over: this one ends (no confirmation). */
  handOver(): Promise<void>;
  /** Only with the admin role: the one-time move, the service stopped and started around it. */
  moveIntoService?: () => Promise<MoveResult>;
}

export class ServiceMode {
  constructor(private readonly deps: ServiceModeDeps) {}

  get role(): Role {
    return this.deps.role;
  }

  /**
   * "Set up…" as a viewer: true when an elevated instance was started (it opens the wizard and this
   * one hands over), false when nothing changed (declined, or not Windows: said in words).
   */
  async askForAdmin(purpose: typeof ELEVATED_SETUP_ARG | typeof ELEVATED_MOVE_ARG): Promise<boolean> {
    if (this.deps.platform !== 'win32') {
      await this.deps.prompts.tell(ADMIN_NEEDED_ELSEWHERE);
      return false;
    }
    const started = await relaunchElevated(this.deps.exe, [purpose], this.deps.exec).catch(() => false);
    if (!started) {
      await this.deps.prompts.tell(ADMIN_DECLINED);
      return false;
    }
    await this.deps.handOver();
    return true;
  }

  /**
   * At start, attached to the service while the app still has a set-up of its own: offer the move
   * once. An admin instance moves now; a viewer asks for administrator rights first (the elevated
   * instance moves at its start, `ELEVATED_MOVE_ARG`).
   */
  async offerMove(leftInApp: readonly Environment[]): Promise<MoveResult | null> {
    if (leftInApp.length === 0) return null;
    const yes = await this.deps.prompts.ask(moveOfferWords(leftInApp), 'Move into the service', 'Not now');
    if (!yes) {
      await this.deps.prompts.tell(MOVE_DECLINED);
      return null;
    }
    if (this.deps.role !== 'admin' || !this.deps.moveIntoService) {
      await this.askForAdmin(ELEVATED_MOVE_ARG);
      return null;
    }
    return this.move();
  }

  /** The move itself (admin only), its result said in words whatever happened. */
  async move(): Promise<MoveResult | null> {
    if (!this.deps.moveIntoService) return null;
    try {
      const result = await this.deps.moveIntoService();
      await this.deps.prompts.tell(result.message);
      return result;
    } catch (error) {
      // MoveError messages are written for the person (no paths, no secrets); anything else is not.
      const words =
        error instanceof Error && error.name === 'MoveError'
          ? error.message
          : 'The set-up could not be moved into the service; it stays in this app and nothing was lost.';
      await this.deps.prompts.tell(words);
      return null;
    }
  }
}
