/**
 * Every file's declared pods (lib/probes/plans.ts), for the e2e globalSetup to start as the
 * run begins. plans.test.ts checks that labels are unique and that each plan is used by a file.
 */
import type { PodPlan } from '../../lib/probes/plans.ts';
import { BLOB_PODS, CONNECTIVITY_FAULTS_PODS, SERVICES_PODS } from '../connectivity/plans.ts';
import { DNS_FAULTS_PODS, RECORDS_PODS } from '../dns/plans.ts';
import { GUESTBOOK, GUESTBOOK_FAULTS } from '../guestbook/plans.ts';
import { HOST_NETWORK_FAULTS_PODS, POD_TO_HOST_PODS } from '../host-network/plans.ts';
import { LOADBALANCER_FAULTS_PODS } from '../loadbalancer/plans.ts';
import { MTU_FAULTS_PODS } from '../mtu/plans.ts';
import { ADDRESS_PREFERENCE_PODS, NODEPORT_FAULTS_PODS } from '../nodeport/plans.ts';
import { AFFINITY_PODS, CHURN_PODS, EDGE_FAULTS_PODS, HAIRPIN_PODS, SERVICES_FAULTS_PODS } from '../services/plans.ts';

export const PLANS: readonly PodPlan[] = [
  BLOB_PODS,
  SERVICES_PODS,
  CONNECTIVITY_FAULTS_PODS,
  RECORDS_PODS,
  GUESTBOOK,
  GUESTBOOK_FAULTS,
  POD_TO_HOST_PODS,
  ADDRESS_PREFERENCE_PODS,
  AFFINITY_PODS,
  CHURN_PODS,
  HAIRPIN_PODS,
  SERVICES_FAULTS_PODS,
  HOST_NETWORK_FAULTS_PODS,
  DNS_FAULTS_PODS,
  NODEPORT_FAULTS_PODS,
  LOADBALANCER_FAULTS_PODS,
  MTU_FAULTS_PODS,
  EDGE_FAULTS_PODS,
];
