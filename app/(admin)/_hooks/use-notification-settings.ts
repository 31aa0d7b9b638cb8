import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NotificationSettings } from '@/lib/notifications/notification-settings.contracts';
import { apiGet, apiRequest } from '../_lib/api-fetch';

const key = ['me', 'notifications'] as const;

export function useNotificationSettings(initial: NotificationSettings) {
  return useQuery({ queryKey: key, queryFn: () => apiGet<NotificationSettings>('/api/me/notifications'), initialData: initial, staleTime: 60_000 });
}

export function useSaveNotificationSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (settings: NotificationSettings) =>
      (
        await apiRequest<NotificationSettings>('/api/me/notifications', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(settings),
        })
      ).body,
    onSuccess: (saved) => queryClient.setQueryData(key, saved),
  });
}
