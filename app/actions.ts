"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { isAppError } from "@/lib/errors";
import { formValuesToInput, readFormValues, type SubmitFormState } from "./form";
import { clientKeyFromHeaders } from "@/lib/itineraries/limits";
import { submitItinerary } from "@/lib/itineraries/submit";
import { toAppError } from "@/lib/api/http";

export async function submitItineraryAction(
  _previous: SubmitFormState,
  formData: FormData,
): Promise<SubmitFormState> {
  const values = readFormValues(formData);
  let jobId: string;
  try {
    const { job } = await submitItinerary(formValuesToInput(values), {
      clientKey: clientKeyFromHeaders(await headers()),
    });
    jobId = job.id;
  } catch (error) {
    const appError = isAppError(error) ? error : toAppError(error);
    return {
      status: "error",
      message: appError.message,
      fieldErrors: appError.details?.fields ?? {},
      values,
    };
  }
  // redirect() throws, so it stays outside the try block.
  redirect(`/itineraries/${jobId}`);
}
