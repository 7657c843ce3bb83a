import type { ToolRisk } from '../model/step.js';
import type { Severity } from './finding.js';

/** Silences one rule for one tool and/or one agent (an omitted field matches everything). */
export interface Mute {
  ruleId: string;
  tool?: string;
  agent?: string;
}

export interface DetectionConfig {
  /** Rule IDs that do not run. */
  disabledRules: string[];
  /** Replaces the severity a rule chose. */
  severityOverrides: Record<string, Severity>;
  mutes: Mute[];
  /** Overrides the risk a tool step declares (`casefile.tool.risk`), keyed by tool name. */
  toolRisks: Record<string, ToolRisk>;
  limits: {
    /** Characters of any one field a rule looks at. */
    maxTextChars: number;
    maxSteps: number;
    maxFindingsPerRule: number;
  };
  baseline: {
    /** No outlier or novelty verdict before this many runs of the tool / agent / project. */
    minRuns: number;
    maxSamples: number;
    maxDestinationsPerTool: number;
    maxArgPathsPerTool: number;
    maxTools: number;
    maxAgents: number;
    maxVersions: number;
    maxApprovalIds: number;
  };
  sensitiveData: {
    risks: ToolRisk[];
    secretKinds: string[];
    piiKinds: string[];
    /** Distinct PII tokens from which the finding is medium / high. */
    piiMedium: number;
    piiHigh: number;
  };
  encodedBlob: {
    minBase64Chars: number;
    minHexChars: number;
    minPercentEscapes: number;
    /** Shannon bits per char for an undecodable string to count as a high-entropy secret. */
    base64Entropy: number;
    minHighEntropyChars: number;
    /** Binary (non-text, non-image) payloads shorter than this are ignored. */
    minBinaryChars: number;
  };
  dataUrl: {
    minValueChars: number;
    minEntropy: number;
    minSubdomainLabelChars: number;
    /** Hosts that may receive images and data (`*.example.com` allowed). */
    trustedHosts: string[];
  };
  destination: {
    risks: ToolRisk[];
    /** Per tool name, destinations that are always expected (`*.example.com` allowed). */
    allow: Record<string, string[]>;
    /**
     * Per tool name, the arguments that name where a call goes (`{ send_invoice: ['billing_contact'] }`),
     * in addition to what the tool's spans declare (`casefile.tool.destinations`) and to common names
     * (`to`, `recipient`, `channel`, `url`, …) recognised without declaration.
     */
    arguments: Record<string, string[]>;
    /** Runs of a tool's history (for this agent) before its destinations are judged. */
    minToolRuns: number;
    /**
     * Also judge pseudonymised recipients (`[email:7f3a9c1b]`). Off by default: an agent that writes
     * to customers meets a new one in most runs. Turn on for agents with a fixed set of recipients.
     */
    recipientTokens: boolean;
  };
  shapeOutlier: { zThreshold: number; minLengthDelta: number };
  flows: {
    sinkRisks: ToolRisk[];
    shingleSize: number;
    /** Score (shared shingles + shared pseudonym tokens) from which a flow is reported. */
    minScore: number;
  };
  approval: {
    /** Risks whose calls need an approval on every run: a call without one is a finding on that run. */
    requireFor: ToolRisk[];
    /**
     * Risks whose calls should have an approval by policy, reported as a gap once per agent, tool and
     * day (with the day's count and example runs) rather than on every run.
     */
    gapFor: ToolRisk[];
    /**
     * A policy step's decision that authorises the next high-risk call on its own (auto-approval
     * under a limit), and decisions that forbid it. Compared case-insensitively.
     */
    policyAllows: string[];
    policyDenies: string[];
  };
  version: { pinnedModels: string[] };
  volume: { outboundRisks: ToolRisk[]; zThreshold: number; minRatio: number; minBytesDelta: number };
}

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  disabledRules: [],
  severityOverrides: {},
  mutes: [],
  toolRisks: {},
  limits: { maxTextChars: 64 * 1024, maxSteps: 5_000, maxFindingsPerRule: 50 },
  baseline: {
    minRuns: 20,
    maxSamples: 200,
    maxDestinationsPerTool: 1_000,
    maxArgPathsPerTool: 200,
    maxTools: 500,
    maxAgents: 200,
    maxVersions: 200,
    maxApprovalIds: 10_000,
  },
  sensitiveData: {
    risks: ['external', 'irreversible'],
    // The kinds emitted by the redactor (sdk/src/redact); unknown kinds fall back on their name.
    secretKinds: [
      'anthropic_key',
      'auth_header',
      'aws_key',
      'aws_secret',
      'azure_key',
      'connection_string',
      'cookie',
      'digitalocean_token',
      'generic_secret',
      'github_token',
      'gitlab_token',
      'google_api_key',
      'google_oauth',
      'huggingface_token',
      'jwt',
      'npm_token',
      'openai_key',
      'password',
      'private_key',
      'pypi_token',
      'sendgrid_key',
      'shopify_token',
      'slack_token',
      'slack_webhook',
      'stripe_key',
      'twilio_key',
      'url_credentials',
    ],
    piiKinds: ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'employee_id', 'national_id', 'person', 'address'],
    piiMedium: 3,
    piiHigh: 10,
  },
  encodedBlob: {
    minBase64Chars: 40,
    minHexChars: 48,
    minPercentEscapes: 6,
    base64Entropy: 4.5,
    minHighEntropyChars: 32,
    minBinaryChars: 512,
  },
  dataUrl: { minValueChars: 16, minEntropy: 3.5, minSubdomainLabelChars: 20, trustedHosts: [] },
  destination: {
    risks: ['write', 'external', 'irreversible'],
    allow: {},
    arguments: {},
    minToolRuns: 5,
    recipientTokens: false,
  },
  shapeOutlier: { zThreshold: 6, minLengthDelta: 200 },
  flows: { sinkRisks: ['write', 'external', 'irreversible'], shingleSize: 5, minScore: 3 },
  approval: {
    requireFor: ['irreversible'],
    gapFor: ['external'],
    policyAllows: ['allow', 'allowed', 'approve', 'approved', 'pass', 'permit'],
    policyDenies: ['deny', 'denied', 'block', 'blocked', 'reject', 'rejected'],
  },
  version: { pinnedModels: [] },
  volume: { outboundRisks: ['write', 'external', 'irreversible'], zThreshold: 6, minRatio: 3, minBytesDelta: 4_096 },
};

/** Deep-enough merge of a partial config over the defaults (sections merge key by key). */
export type DetectionConfigInput = {
  [K in keyof DetectionConfig]?: DetectionConfig[K] extends unknown[]
    ? DetectionConfig[K]
    : Partial<DetectionConfig[K]>;
};

export function resolveDetectionConfig(input: DetectionConfigInput = {}): DetectionConfig {
  const d = DEFAULT_DETECTION_CONFIG;
  const merge = <K extends keyof DetectionConfig>(key: K): DetectionConfig[K] => {
    const base = d[key];
    const over = input[key];
    if (over === undefined) return base;
    if (Array.isArray(base)) return over as DetectionConfig[K];
    return { ...base, ...over } as DetectionConfig[K];
  };
  return {
    disabledRules: merge('disabledRules'),
    severityOverrides: merge('severityOverrides'),
    mutes: merge('mutes'),
    toolRisks: merge('toolRisks'),
    limits: merge('limits'),
    baseline: merge('baseline'),
    sensitiveData: merge('sensitiveData'),
    encodedBlob: merge('encodedBlob'),
    dataUrl: merge('dataUrl'),
    destination: merge('destination'),
    shapeOutlier: merge('shapeOutlier'),
    flows: merge('flows'),
    approval: merge('approval'),
    version: merge('version'),
    volume: merge('volume'),
  };
}
